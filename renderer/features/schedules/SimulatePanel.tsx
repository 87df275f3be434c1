/**
 * The scheduler, predicted: what each schedule keeps and what each loop inserts, with the settings
 * read live (or from a profile, or Prefect's defaults), and the same with a few settings changed.
 */
import { useState } from 'react';
import type { SettingsSource, SimResult, Simulation } from '../../../shared/domain/schedules';
import { useAction, useRequest } from '../../api/hooks';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Segmented } from '../../components/Segmented';
import { formatCount, formatShare } from '../../lib/format';
import { ahead, num } from './format';

const FIELDS = [
  { key: 'loop_seconds', label: 'loop_seconds', help: 'seconds between passes' },
  { key: 'min_runs', label: 'min_runs', help: 'runs kept at least' },
  { key: 'max_runs', label: 'max_runs', help: 'runs kept at most' },
  { key: 'min_scheduled_time', label: 'min_scheduled_time', help: 'e.g. 1h, PT1H, 3600' },
  { key: 'max_scheduled_time', label: 'max_scheduled_time', help: 'e.g. 100d, P100D' },
  { key: 'deployment_batch_size', label: 'deployment_batch_size', help: 'deployments per page' },
] as const;

export function SimulatePanel({ connectionId, deployments }: { connectionId: string; deployments: string[] }) {
  const [source, setSource] = useState<'live' | 'profile' | 'defaults'>('live');
  const [profile, setProfile] = useState('');
  const [edits, setEdits] = useState<Record<string, string>>({});
  const [horizon, setHorizon] = useState('24');
  const profiles = useRequest('profiles.list', { includeDeleted: false });
  const sim = useAction('schedules.simulate');
  const [result, setResult] = useState<Simulation | null>(null);
  const settings: SettingsSource = source === 'profile' ? { kind: 'profile', profile } : { kind: source };
  const run = async () => {
    const overrides = Object.fromEntries(Object.entries(edits).filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, v.trim()]));
    const r = await sim.run({ connectionId, deployments, settings, overrides, horizonHours: Number(horizon) || 24 });
    if (r) setResult(r);
  };
  return (
    <div data-testid="simulate-panel">
      <section className="card">
        <div className="card__title">Settings to predict with</div>
        <div className="sched-inline">
          <Segmented
            label="Settings source"
            value={source}
            options={[{ value: 'live', label: 'Live server' }, { value: 'profile', label: 'A profile' }, { value: 'defaults', label: 'Prefect defaults' }]}
            onChange={setSource}
          />
          {source === 'profile' && (
            <select className="input" value={profile} onChange={(e) => setProfile(e.target.value)} aria-label="Profile">
              <option value="">Choose a profile…</option>
              {(profiles.data ?? []).map((p) => (
                <option key={p.id} value={p.name}>{p.name}</option>
              ))}
            </select>
          )}
          <label className="inline-field">
            <span>Hours ahead</span>
            <input className="input input--narrow" value={horizon} onChange={(e) => setHorizon(e.target.value)} inputMode="decimal" />
          </label>
        </div>
        <div className="card__title sched-sim__title">Change a setting (leave empty to keep it)</div>
        <div className="sched-sim__fields">
          {FIELDS.map((f) => (
            <label key={f.key} className="field">
              <span className="field__label mono">{f.label}</span>
              <input className="input" value={edits[f.key] ?? ''} placeholder={result ? String(valueOf(result.baseline, f.key)) : ''} onChange={(e) => setEdits((x) => ({ ...x, [f.key]: e.target.value }))} data-testid={`sim-${f.key}`} />
              <span className="field__help">{f.help}</span>
            </label>
          ))}
        </div>
        <div className="form__actions">
          <button type="button" className="btn btn--primary" onClick={() => void run()} disabled={sim.running || (source === 'profile' && !profile)} data-testid="simulate-run">
            {sim.running ? 'Simulating…' : 'Predict'}
          </button>
        </div>
      </section>
      {sim.error && <ErrorNotice title="Could not simulate" error={sim.error} onDismiss={sim.clearError} />}
      {result && <SimulationView sim={result} />}
    </div>
  );
}

function valueOf(r: SimResult, key: string): number | boolean | '' {
  const s = r.settings.settings;
  const map: Record<string, number | boolean> = {
    loop_seconds: s.loopSeconds,
    min_runs: s.minRuns,
    max_runs: s.maxRuns,
    min_scheduled_time: s.minScheduledTime,
    max_scheduled_time: s.maxScheduledTime,
    deployment_batch_size: s.deploymentBatchSize,
  };
  return map[key] ?? '';
}

function SimulationView({ sim }: { sim: Simulation }) {
  const b = sim.baseline;
  const m = sim.modified;
  const rows = b.schedules.map((s) => ({ s, t: m?.schedules.find((x) => x.scheduleId === s.scheduleId) ?? null }));
  const totals: Array<[string, (r: SimResult) => string]> = [
    ['Runs held after a pass', (r) => formatCount(r.totals.held)],
    ['Inserted per loop (avg / max)', (r) => `${num(r.totals.insertsPerLoopAvg)} / ${formatCount(r.totals.insertsPerLoopMax)}`],
    ['Inserted per day', (r) => formatCount(r.totals.insertsPerDay)],
    ['Deployments selected per loop (avg / max)', (r) => `${num(r.totals.deploymentsPerLoopAvg)} / ${formatCount(r.totals.deploymentsPerLoopMax)}`],
    ['Dates generated per loop (CPU)', (r) => num(r.totals.datesGeneratedPerLoopAvg)],
    ['Insert transactions in the busiest loop', (r) => formatCount(r.totals.insertTransactionsMax)],
  ];
  return (
    <section className="card" data-testid="simulation">
      <div className="card__title">Over the next {ahead(sim.horizonSeconds)}, loop by loop</div>
      {m && (
        <p data-testid="simulation-summary">
          With {Object.entries(sim.overrides).map(([k, v]) => `${k}=${String(v)}`).join(', ')} the scheduler would hold <strong>{formatCount(m.totals.held)}</strong> runs instead of {formatCount(b.totals.held)}, insert {formatCount(m.totals.insertsPerDay)} a day instead of {formatCount(b.totals.insertsPerDay)}, and generate {num(m.totals.datesGeneratedPerLoopAvg)} dates per loop instead of {num(b.totals.datesGeneratedPerLoopAvg)}.
        </p>
      )}
      <table className="table table--compact sched-sim__totals">
        <thead>
          <tr>
            <th />
            <th className="num">{b.settings.source}</th>
            {m && <th className="num">With {Object.entries(sim.overrides).map(([k, v]) => `${k}=${String(v)}`).join(', ')}</th>}
          </tr>
        </thead>
        <tbody>
          {totals.map(([label, f]) => (
            <tr key={label}>
              <td>{label}</td>
              <td className="num">{f(b)}</td>
              {m && <td className={`num${f(m) !== f(b) ? ' sched-changed' : ''}`}>{f(m)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
      <div className="table-wrap sched-sim__table">
        <table className="table table--compact">
          <thead>
            <tr>
              <th>Deployment</th>
              <th>Schedule</th>
              <th className="num">Keeps</th>
              <th>Limited by</th>
              <th className="num">Ahead</th>
              <th className="num">Inserts / loop</th>
              <th className="num">Selected</th>
              {m && <th className="num">Keeps (changed)</th>}
              {m && <th className="num">Ahead (changed)</th>}
            </tr>
          </thead>
          <tbody>
            {rows.map(({ s, t }) => (
              <tr key={s.scheduleId} className={!s.active || s.paused ? 'muted' : undefined}>
                <td>{s.deployment}</td>
                <td>{s.label}{!s.active ? ' (inactive)' : ''}{s.paused ? ' (paused)' : ''}</td>
                <td className="num">{s.kept}</td>
                <td className="mono">{s.limitedBy}</td>
                <td className="num">{ahead(s.horizonSeconds)}</td>
                <td className="num">{num(s.insertsPerLoopAvg)}</td>
                <td className="num">{formatShare(s.selectedShare)}</td>
                {m && <td className={`num${t && t.kept !== s.kept ? ' sched-changed' : ''}`}>{t?.kept ?? '—'}</td>}
                {m && <td className={`num${t && t.horizonSeconds !== s.horizonSeconds ? ' sched-changed' : ''}`}>{ahead(t?.horizonSeconds)}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ul className="sched-notes">
        {sim.notes.map((x) => (
          <li key={x}>{x}</li>
        ))}
      </ul>
    </section>
  );
}
