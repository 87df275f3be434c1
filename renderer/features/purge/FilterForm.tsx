/** Step 1: what counts as stale here. Defaults are Prefect's own: Scheduled and Late, never started, by schedules, older than 30 minutes. */
import { useMemo } from 'react';
import type { PurgeTargets } from '../../../shared/contracts/purge';
import { DataTable } from '../../components/table/DataTable';
import type { Column, Filter } from '../../components/table/types';
import { formatCount, plural } from '../../lib/format';
import type { FilterState } from './filter-state';

type Target = PurgeTargets['deployments'][number];

const DEPLOYMENT_COLUMNS: Array<Column<Target>> = [
  { id: 'name', header: 'Deployment', sortValue: (d) => d.name, cell: (d) => d.name },
  {
    id: 'pastDue',
    header: 'Past due',
    title: 'Scheduled runs whose time has passed (not counted through the API alone)',
    width: '120px',
    numeric: true,
    descFirst: true,
    sortValue: (d) => d.pastDue,
    cell: (d) => (d.pastDue === null ? <span className="muted">not counted</span> : <span className={d.pastDue > 0 ? 'dt__alarm' : 'muted'}>{formatCount(d.pastDue)}</span>),
  },
];

const DEPLOYMENT_FILTERS: Array<Filter<Target>> = [
  { id: 'backlog', label: 'Show', allLabel: 'All deployments', options: [{ value: 'pastDue', label: 'With past-due runs', test: (d) => (d.pastDue ?? 0) > 0 }] },
];

function MultiSelect({ label, options, value, onChange, testId, render }: {
  label: string;
  options: string[];
  value: string[];
  onChange: (v: string[]) => void;
  testId: string;
  render?: (o: string) => string;
}) {
  return (
    <label className="field">
      <span className="field__label">{label}</span>
      <select
        className="input purge-multi"
        multiple
        size={Math.min(6, Math.max(3, options.length))}
        value={value}
        onChange={(e) => onChange([...e.target.selectedOptions].map((o) => o.value))}
        data-testid={testId}
      >
        {options.map((o) => (
          <option key={o} value={o}>
            {render ? render(o) : o}
          </option>
        ))}
      </select>
      <span className="field__help">{value.length ? `${value.length} selected` : 'None selected: all'}</span>
    </label>
  );
}

export function FilterForm({ state, onChange, targets, onPlan, planning, readOnly }: {
  state: FilterState;
  onChange: (s: FilterState) => void;
  targets: PurgeTargets | undefined;
  onPlan: () => void;
  planning: boolean;
  readOnly: boolean;
}) {
  const set = <K extends keyof FilterState>(k: K, v: FilterState[K]) => onChange({ ...state, [k]: v });
  const chosen = useMemo(() => new Set(state.deployments), [state.deployments]);
  return (
    <form
      className="card purge-filter"
      onSubmit={(e) => {
        e.preventDefault();
        onPlan();
      }}
    >
      <div className="card__title">What to delete</div>
      <p className="field__help">
        Stale means what Prefect means: runs in state Scheduled or Late that never started (run count 0), scheduled before the
        cutoff. Running, finished, retrying and future runs are never included.
      </p>
      <div className="field-grid">
        <label className="field">
          <span className="field__label">Scheduled before</span>
          <input className="input" value={state.olderThan} onChange={(e) => set('olderThan', e.target.value)} data-testid="purge-older-than" />
          <span className="field__help">How long ago (30m, 2h, 1d, PT30M) or a time (2026-11-29T08:00Z). Frozen when you preview.</span>
        </label>
        <div className="field">
          <span className="field__label">States</span>
          {(['Scheduled', 'Late'] as const).map((s) => (
            <label key={s} className="check-line">
              <input type="checkbox" checked={state.states[s]} onChange={(e) => set('states', { ...state.states, [s]: e.target.checked })} data-testid={`purge-state-${s}`} />
              {s}
            </label>
          ))}
        </div>
      </div>
      <div className="field purge-deployments">
        <span className="field__label" id="purge-deployments-label">Deployments</span>
        <span className="field__help">{state.deployments.length ? `Only runs of the ${plural(state.deployments.length, 'deployment')} checked.` : 'None checked: runs of every deployment.'}</span>
        <DataTable
          testId="purge-deployments"
          rowTestId="purge-deployment-row"
          noun="deployment"
          rows={targets?.deployments ?? []}
          rowId={(d) => d.name}
          columns={DEPLOYMENT_COLUMNS}
          searchText={(d) => d.name}
          filters={DEPLOYMENT_FILTERS}
          initialSort={{ id: 'pastDue', desc: true }}
          selection={{ selected: chosen, onChange: (next) => set('deployments', [...next]), label: (name) => `Purge runs of ${name}` }}
          rowAttributes={(d) => ({ 'data-deployment': d.name })}
          height="short"
          compact
          rowHeight={32}
          empty={targets ? 'No deployments on this server.' : 'Reading the deployments…'}
        />
      </div>
      <div className="field-grid">
        <MultiSelect label="Work pools" options={targets?.workPools ?? []} value={state.workPools} onChange={(v) => set('workPools', v)} testId="purge-pools" />
        <MultiSelect label="Work queues" options={targets?.workQueues ?? []} value={state.workQueues} onChange={(v) => set('workQueues', v)} testId="purge-queues" />
      </div>
      <div className="field-grid">
        <label className="field">
          <span className="field__label">Tags (all of)</span>
          <input className="input" value={state.tags} placeholder="e.g. nightly, etl" onChange={(e) => set('tags', e.target.value)} />
        </label>
        <label className="field">
          <span className="field__label">Keep the newest per deployment</span>
          <input className="input input--narrow" inputMode="numeric" value={state.keepNewest} onChange={(e) => set('keepNewest', e.target.value.replace(/[^0-9]/g, ''))} />
          <span className="field__help">0 keeps none. E.g. 1 lets each deployment still run its latest missed run.</span>
        </label>
      </div>
      <label className="check-line">
        <input type="checkbox" checked={state.includeManual} onChange={(e) => set('includeManual', e.target.checked)} data-testid="purge-include-manual" />
        Also include runs created by hand (not by a schedule)
      </label>
      <div className="form__actions">
        <button type="submit" className="btn btn--primary" disabled={planning} data-testid="purge-preview">
          {planning ? 'Counting…' : 'Preview (changes nothing)'}
        </button>
        <label className="inline-field">
          <span>Executor</span>
          <select className="input" value={state.executor} onChange={(e) => set('executor', e.target.value as FilterState['executor'])}>
            <option value="auto">Automatic</option>
            <option value="sql">SQL (database)</option>
            <option value="api">Prefect API</option>
          </select>
        </label>
        {readOnly && <span className="badge badge--warn">Read-only connection: you can preview, not delete</span>}
      </div>
    </form>
  );
}
