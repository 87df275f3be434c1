/**
 * Add or edit a connection. "Test" checks the draft as typed (with the saved secrets when editing,
 * so a blank password field still tests the stored one); "Save" stores it. Neither changes anything
 * on the Prefect server.
 */
import { useCallback, useId, useMemo, useState } from 'react';
import type { ConnectionView, TestReport } from '../../../shared/domain/connection';
import { refreshConnections, selectConnection, useConnections } from '../../api/connections';
import { useAction } from '../../api/hooks';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Field } from '../../components/Field';
import { href, navigate } from '../../lib/router';
import { ApiFields } from './ApiFields';
import { DatabaseFields } from './DatabaseFields';
import {
  emptyForm,
  fieldErrorsFrom,
  formFromView,
  localErrors,
  toDraft,
  type FormState,
  type PgFields,
} from './form-state';
import { TestReportView } from './TestReportView';
import { rememberTest } from './test-runs';

export function ConnectionForm({ saved }: { saved?: ConnectionView }) {
  const id = useId();
  const { currentId } = useConnections();
  const [form, setForm] = useState<FormState>(() => (saved ? formFromView(saved) : emptyForm()));
  const update = useCallback((patch: Partial<FormState>) => setForm((f) => ({ ...f, ...patch })), []);
  const updatePg = useCallback((patch: Partial<PgFields>) => setForm((f) => ({ ...f, pg: { ...f.pg, ...patch } })), []);

  const test = useAction('connections.test');
  const save = useAction('connections.save');
  const [tested, setTested] = useState<{ report: TestReport; draftKey: string } | null>(null);
  const [showLocal, setShowLocal] = useState(false);

  const draft = useMemo(() => toDraft(form), [form]);
  const draftKey = useMemo(() => JSON.stringify(draft), [draft]);
  const local = localErrors(form);
  const hasLocalErrors = Object.keys(local).length > 0;
  const errors = { ...fieldErrorsFrom(save.error ?? test.error), ...(showLocal ? local : {}) };

  const onTest = async () => {
    setShowLocal(true);
    save.clearError();
    if (hasLocalErrors) return;
    setTested(null);
    const report = await test.run({ draft, ...(saved ? { id: saved.id } : {}) });
    if (report) setTested({ report, draftKey });
  };

  const onSave = async () => {
    setShowLocal(true);
    test.clearError();
    if (hasLocalErrors) return;
    const view = await save.run({ draft, ...(saved ? { id: saved.id } : {}) });
    if (!view) return;
    if (tested && tested.draftKey === draftKey) rememberTest(view.id, tested.report);
    // The first connection becomes the current one; later ones only when the user says "Use".
    if (!currentId) await selectConnection(view.id).catch(() => undefined);
    await refreshConnections();
    navigate('connections');
  };

  const stale = tested !== null && tested.draftKey !== draftKey;

  return (
    <div className="page page--form">
      <header className="page__header">
        <div>
          <a className="crumb" href={href('connections')}>
            ← Connections
          </a>
          <h1 className="page__title">{saved ? `Edit “${saved.name}”` : 'Add a connection'}</h1>
          <p className="page__lead">
            How Housekeeper reaches one Prefect server: its API and, optionally, its database. Testing and saving change
            nothing on the server.
          </p>
        </div>
      </header>

      <div className="form-layout">
        <form
          className="form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void onSave();
          }}
          data-testid="connection-form"
        >
          <fieldset className="form-section">
            <Field label="Name" htmlFor={`${id}-name`} error={errors.name} help="How this server is called in Housekeeper, e.g. “prod” or “staging”." wide>
              <input
                id={`${id}-name`}
                className="input"
                value={form.name}
                placeholder="prod"
                autoComplete="off"
                autoFocus={!saved}
                onChange={(e) => update({ name: e.target.value })}
                data-testid="field-name"
              />
            </Field>
          </fieldset>

          <ApiFields form={form} update={update} errors={errors} saved={saved} />
          <DatabaseFields form={form} update={update} updatePg={updatePg} errors={errors} saved={saved} />

          <fieldset className="form-section">
            <legend className="form-section__title">Safety</legend>
            <label className="switch" data-testid="field-readOnly">
              <input
                type="checkbox"
                role="switch"
                checked={form.readOnly}
                onChange={(e) => update({ readOnly: e.target.checked })}
              />
              <span className="switch__track" aria-hidden="true" />
              <span className="switch__text">
                <span className="switch__label">Read-only</span>
                <span className="switch__help">Every destructive action refuses on this connection; inspecting still works.</span>
              </span>
            </label>
          </fieldset>

          {save.error && <ErrorNotice title="Not saved" error={save.error} onDismiss={save.clearError} />}

          <div className="form__actions">
            <button type="button" className="btn" onClick={() => void onTest()} disabled={test.running || save.running} data-testid="test-button">
              {test.running ? 'Testing…' : 'Test'}
            </button>
            <button type="submit" className="btn btn--primary" disabled={save.running || test.running} data-testid="save-button">
              {save.running ? 'Saving…' : saved ? 'Save changes' : 'Save'}
            </button>
            <a className="btn btn--quiet" href={href('connections')}>
              Cancel
            </a>
          </div>
        </form>

        <aside className="form-side" aria-live="polite">
          <h2 className="form-side__title">Connection test</h2>
          {!tested && !test.running && !test.error && (
            <p className="muted" data-testid="test-idle">
              Press <strong>Test</strong> to check, step by step: the API URL, that the server answers and is healthy, its
              Prefect version, that the credentials are accepted, and — with a database — that it is Prefect's database,
              belongs to this same server, and what the database user may do.
            </p>
          )}
          {test.error && (test.error.code === 'VALIDATION' || test.error.code === 'SECRET_REQUIRED') && !test.running ? (
            <ErrorNotice title="Cannot test yet" error={test.error} />
          ) : (
            (test.running || tested || test.error) && (
              <TestReportView
                report={tested?.report ?? null}
                running={test.running}
                error={test.error}
                hasDb={form.dbKind !== 'none'}
              />
            )
          )}
          {stale && !test.running && (
            <p className="field__note" data-testid="test-stale">
              The form changed after this test. Test again to check the new values.
            </p>
          )}
        </aside>
      </div>
    </div>
  );
}
