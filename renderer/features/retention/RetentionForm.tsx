/**
 * Step 1: which finished runs are old enough to go. Defaults are Prefect's db_vacuum's: 90 days,
 * every terminal state, every deployment, events with the same period.
 */
import { useMemo } from 'react';
import { TERMINAL_STATE_TYPES } from '../../../shared/domain/retention';
import type { RetentionContext } from '../../../shared/contracts/retention';
import type { ClientError } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { DataTable } from '../../components/table/DataTable';
import type { Column } from '../../components/table/types';
import { plural } from '../../lib/format';
import { formSummary, STATE_LABEL, type RetentionForm as FormState } from './form-state';

type Deployment = RetentionContext['deployments'][number];

const COLUMNS: Array<Column<Deployment>> = [{ id: 'name', header: 'Deployment', sortValue: (d) => d.name, cell: (d) => d.name }];

export function RetentionForm({ state, onChange, deployments, contextError, onPlan, planning, readOnly }: {
  state: FormState;
  onChange: (s: FormState) => void;
  deployments: Deployment[] | undefined;
  contextError: ClientError | null;
  onPlan: () => void;
  planning: boolean;
  readOnly: boolean;
}) {
  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => onChange({ ...state, [k]: v });
  const chosen = useMemo(() => new Set(state.deployments), [state.deployments]);
  return (
    <form
      className="card ret-form"
      data-testid="retention-form"
      onSubmit={(e) => {
        e.preventDefault();
        onPlan();
      }}
    >
      <div className="card__title">What to delete</div>
      <div className="field-grid">
        <label className="field">
          <span className="field__label">Finished more than … ago</span>
          <input className="input" value={state.olderThan} onChange={(e) => set('olderThan', e.target.value)} data-testid="retention-older-than" />
          <span className="field__help">A period (90d, 12h, P30D) or a time (2026-06-01T00:00Z), by the run&apos;s end time. At least 1h. Frozen when you plan.</span>
        </label>
        <div className="field">
          <span className="field__label">Final states</span>
          <div className="ret-states">
            {TERMINAL_STATE_TYPES.map((s) => (
              <label key={s} className="check-line">
                <input type="checkbox" checked={state.states[s]} onChange={(e) => set('states', { ...state.states, [s]: e.target.checked })} data-testid={`retention-state-${s}`} />
                {STATE_LABEL[s]}
              </label>
            ))}
          </div>
          <span className="field__help">Running, scheduled and paused runs are never included.</span>
        </div>
      </div>
      <div className="field ret-deployments">
        <span className="field__label">Deployments</span>
        <span className="field__help">
          {state.deployments.length ? `Only runs of the ${plural(state.deployments.length, 'deployment')} checked (their finished old subflows go with them).` : 'None checked: runs of every deployment, and runs without one.'}
        </span>
        {contextError ? (
          <ErrorNotice title="Could not list the deployments" error={contextError} />
        ) : (
          <DataTable
            testId="retention-deployments"
            rowTestId="retention-deployment-row"
            noun="deployment"
            rows={deployments ?? []}
            rowId={(d) => d.name}
            columns={COLUMNS}
            searchText={(d) => d.name}
            initialSort={{ id: 'name', desc: false }}
            selection={{ selected: chosen, onChange: (next) => set('deployments', [...next]), label: (name) => `Delete old runs of ${name}` }}
            rowAttributes={(d) => ({ 'data-deployment': d.name })}
            height="short"
            compact
            rowHeight={32}
            empty={deployments ? 'No deployments on this server.' : 'Reading the deployments…'}
          />
        )}
      </div>
      <div className="field-grid">
        <label className="field">
          <span className="field__label">Keep the newest per deployment</span>
          <input className="input input--narrow" inputMode="numeric" value={state.keepNewest} onChange={(e) => set('keepNewest', e.target.value)} data-testid="retention-keep-newest" />
          <span className="field__help">0 keeps none. E.g. 10 leaves each deployment its last ten finished runs, however old.</span>
        </label>
        <div className="field">
          <span className="field__label">Events</span>
          <label className="check-line">
            <input type="checkbox" checked={state.events} onChange={(e) => set('events', e.target.checked)} data-testid="retention-events" />
            Also delete events and event resources older than
          </label>
          <input
            className="input input--narrow"
            value={state.eventsOlderThan}
            placeholder={state.olderThan || '90d'}
            disabled={!state.events}
            onChange={(e) => set('eventsOlderThan', e.target.value)}
            aria-label="Events older than"
            data-testid="retention-events-older-than"
          />
          <span className="field__help">Events go by age across the whole server (not by run). Empty: the runs&apos; period.</span>
        </div>
      </div>
      <label className="check-line">
        <input type="checkbox" checked={state.orphans} onChange={(e) => set('orphans', e.target.checked)} data-testid="retention-orphans" />
        Also delete orphaned logs and artifacts (their flow run no longer exists)
      </label>
      <p className="ret-form__summary" data-testid="retention-form-summary">{formSummary(state)}</p>
      <div className="form__actions">
        <button type="submit" className="btn btn--primary" disabled={planning} data-testid="retention-plan-button">
          {planning ? 'Counting…' : 'Plan (changes nothing)'}
        </button>
        {readOnly && <span className="badge badge--warn">Read-only connection: you can plan, not delete</span>}
      </div>
    </form>
  );
}
