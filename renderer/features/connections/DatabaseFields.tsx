import { useId, useState } from 'react';
import type { ConnectionView, SslMode } from '../../../shared/domain/connection';
import { Field } from '../../components/Field';
import { Segmented } from '../../components/Segmented';
import { SecretInput } from './ApiFields';
import { dbMoved, SSL_MODE_OPTIONS, storedDbPassword, type DbKind, type FieldErrors, type FormState, type PgFields } from './form-state';

const DB_OPTIONS: ReadonlyArray<{ value: DbKind; label: string }> = [
  { value: 'none', label: 'None (API only)' },
  { value: 'postgres', label: 'PostgreSQL' },
  { value: 'sqlite', label: 'SQLite' },
];

export function DatabaseFields({
  form,
  update,
  updatePg,
  errors,
  saved,
}: {
  form: FormState;
  update: (patch: Partial<FormState>) => void;
  updatePg: (patch: Partial<PgFields>) => void;
  errors: FieldErrors;
  saved: ConnectionView | undefined;
}) {
  const id = useId();
  return (
    <fieldset className="form-section">
      <legend className="form-section__title">Database</legend>
      <Field
        label="Prefect's database"
        wide
        help="With the database, Housekeeper can measure table sizes and bloat and delete in bulk. Without it, it works through the API only (the only choice for Prefect Cloud)."
      >
        <Segmented label="Database" value={form.dbKind} options={DB_OPTIONS} onChange={(dbKind) => update({ dbKind })} testId="field-dbKind" />
      </Field>

      {form.dbKind === 'postgres' && (
        <PostgresFields id={id} form={form} update={update} updatePg={updatePg} errors={errors} saved={saved} />
      )}

      {form.dbKind === 'sqlite' && (
        <Field
          label="SQLite file"
          htmlFor={`${id}-sqlite`}
          error={errors.sqlitePath}
          wide
          help={
            <>
              The file in the server's <span className="mono">PREFECT_SERVER_DATABASE_CONNECTION_URL</span>; by default{' '}
              <span className="mono">~/.prefect/prefect.db</span>. It must be on the machine running Housekeeper.
            </>
          }
        >
          <input
            id={`${id}-sqlite`}
            className="input mono"
            value={form.sqlitePath}
            placeholder="/home/prefect/.prefect/prefect.db"
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => update({ sqlitePath: e.target.value })}
            data-testid="field-sqlitePath"
          />
        </Field>
      )}
    </fieldset>
  );
}

function PostgresFields({
  id,
  form,
  update,
  updatePg,
  errors,
  saved,
}: {
  id: string;
  form: FormState;
  update: (patch: Partial<FormState>) => void;
  updatePg: (patch: Partial<PgFields>) => void;
  errors: FieldErrors;
  saved: ConnectionView | undefined;
}) {
  const [url, setUrl] = useState('');
  const [pasteResult, setPasteResult] = useState<{ ok: boolean; text: string } | null>(null);
  // A saved password goes only to the host, port, database and user it was saved for.
  const moved = storedDbPassword(saved) && dbMoved(saved, form);
  const keepPassword = storedDbPassword(saved) && !form.pg.clearPassword && !moved;

  const fillFromUrl = async (value: string) => {
    if (!value.trim()) return;
    // Loaded on first use: the parser pulls in zod (via shared/domain/connection), which the
    // initial bundle does not otherwise need.
    const { parseDatabaseUrl } = await import('../../../shared/domain/pg-url');
    const r = parseDatabaseUrl(value);
    if (!r.ok) {
      setPasteResult({ ok: false, text: `${r.error.message} ${r.error.hint ?? ''}`.trim() });
      return;
    }
    if (r.value.kind === 'sqlite') {
      update({ dbKind: 'sqlite', sqlitePath: r.value.path });
      setUrl('');
      setPasteResult({ ok: true, text: ['That is a SQLite URL: switched to SQLite.', ...r.value.notes].join(' ') });
      return;
    }
    const f = r.value.fields;
    updatePg({
      host: f.host,
      port: String(f.port),
      database: f.database,
      user: f.user,
      sslmode: f.sslmode,
      caFile: f.caFile ?? '',
      ...(r.value.password !== null ? { password: r.value.password, clearPassword: false } : {}),
    });
    // The URL may hold a password: do not keep it on screen once its parts are in the fields.
    setUrl('');
    const filled = `Filled host, port, database, user${r.value.password !== null ? ', password' : ''} and sslmode from the URL.`;
    setPasteResult({ ok: true, text: [filled, ...r.value.notes].join(' ') });
  };

  return (
    <>
      <Field
        label="Paste a URL"
        htmlFor={`${id}-pgurl`}
        wide
        help={
          <>
            Optional: <span className="mono">postgresql://user:password@host:5432/prefect</span> or Prefect's{' '}
            <span className="mono">postgresql+asyncpg://…</span> fills the fields below.
          </>
        }
      >
        <div className="input-row">
          <input
            id={`${id}-pgurl`}
            className="input mono"
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={url}
            placeholder="postgresql+asyncpg://prefect:…@127.0.0.1:5432/prefect"
            onChange={(e) => setUrl(e.target.value)}
            onPaste={(e) => {
              const text = e.clipboardData.getData('text');
              if (text) {
                e.preventDefault();
                void fillFromUrl(text);
              }
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                void fillFromUrl(url);
              }
            }}
            data-testid="field-pgUrl"
          />
          <button type="button" className="btn" onClick={() => void fillFromUrl(url)} disabled={!url.trim()} data-testid="fill-from-url">
            Fill fields
          </button>
        </div>
        {pasteResult && (
          <div className={pasteResult.ok ? 'field__note field__note--ok' : 'field__error'} data-testid="pg-url-result">
            {pasteResult.text}
          </div>
        )}
      </Field>

      <div className="field-grid">
        <Field label="Host" htmlFor={`${id}-host`} error={errors.pgHost}>
          <input
            id={`${id}-host`}
            className="input mono"
            value={form.pg.host}
            placeholder="127.0.0.1"
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => updatePg({ host: e.target.value })}
            data-testid="field-pgHost"
          />
        </Field>
        <Field label="Port" htmlFor={`${id}-port`} error={errors.pgPort}>
          <input
            id={`${id}-port`}
            className="input mono input--narrow"
            inputMode="numeric"
            value={form.pg.port}
            placeholder="5432"
            onChange={(e) => updatePg({ port: e.target.value })}
            data-testid="field-pgPort"
          />
        </Field>
        <Field label="Database" htmlFor={`${id}-db`} error={errors.pgDatabase}>
          <input
            id={`${id}-db`}
            className="input mono"
            value={form.pg.database}
            placeholder="prefect"
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => updatePg({ database: e.target.value })}
            data-testid="field-pgDatabase"
          />
        </Field>
        <Field label="User" htmlFor={`${id}-user`} error={errors.pgUser}>
          <input
            id={`${id}-user`}
            className="input mono"
            value={form.pg.user}
            placeholder="prefect"
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => updatePg({ user: e.target.value })}
            data-testid="field-pgUser"
          />
        </Field>
        <Field
          label="Password"
          htmlFor={`${id}-pw`}
          error={errors.pgPassword}
          help={keepPassword || moved ? undefined : 'Blank: use PGPASSWORD or ~/.pgpass on this machine.'}
        >
          <SecretInput
            id={`${id}-pw`}
            value={form.pg.password}
            onChange={(password) => updatePg({ password })}
            keep={keepPassword}
            placeholder="password"
            cleared={form.pg.clearPassword}
            canClear={storedDbPassword(saved)}
            onClear={(clearPassword) => updatePg({ clearPassword })}
            savedLabel="saved"
            moved={moved}
            testId="field-pgPassword"
          />
        </Field>
        <Field label="TLS (sslmode)" htmlFor={`${id}-ssl`} help={SSL_MODE_OPTIONS.find((o) => o.value === form.pg.sslmode)?.help}>
          <select
            id={`${id}-ssl`}
            className="input"
            value={form.pg.sslmode}
            onChange={(e) => updatePg({ sslmode: e.target.value as SslMode })}
            data-testid="field-pgSslmode"
          >
            {SSL_MODE_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <label className="switch" data-testid="field-pgCleartext">
        <input type="checkbox" role="switch" checked={form.pg.allowCleartextPassword} onChange={(e) => updatePg({ allowCleartextPassword: e.target.checked })} />
        <span className="switch__track" aria-hidden="true" />
        <span className="switch__text">
          <span className="switch__label">Allow the password in clear text without TLS</span>
          <span className="switch__help">
            Off: when the server asks for the password in clear text (pg_hba <span className="mono">password</span>) on a connection without TLS,
            Housekeeper does not send it. Turn on only on a network you trust; better, use TLS or scram-sha-256.
          </span>
        </span>
      </label>
      {(form.pg.sslmode === 'require' || form.pg.sslmode === 'verify-ca' || form.pg.sslmode === 'verify-full' || form.pg.caFile) && (
        <Field
          label="CA certificate file"
          htmlFor={`${id}-ca`}
          error={errors.pgCaFile}
          wide
          help="PEM file of the certificate authority that signed the server's certificate (sslrootcert), on this machine."
        >
          <input
            id={`${id}-ca`}
            className="input mono"
            value={form.pg.caFile}
            placeholder="/etc/ssl/certs/db-ca.pem"
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => updatePg({ caFile: e.target.value })}
            data-testid="field-pgCaFile"
          />
        </Field>
      )}
    </>
  );
}
