/**
 * The scheduler, predicted: what each schedule keeps and what each loop inserts, with the settings
 * read live (or from a profile, or Prefect's defaults), and the same with a few settings changed.
 * The fields start with the settings the prediction uses now (issue #13 item 14), so a change is an
 * edit of a real value; the results show each metric now, with the change, and the difference.
 */
import { useEffect, useMemo, useState } from 'react';
import type { SettingsSource, SettingsView, Simulation } from '../../../shared/domain/schedules';
import { durationSeconds, settingText, type SchedulerSettingKey } from '../../../shared/schedules/settings';
import { SIM_METRICS, delta } from '../../../shared/schedules/sim-metrics';
import { useAction, useRequest } from '../../api/hooks';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Segmented } from '../../components/Segmented';
import { Waiting } from '../../components/Waiting';
import { formatCount, formatNumber, formatShare, plural } from '../../lib/format';
import { ahead, num } from './format';

const FIELDS: ReadonlyArray<{ key: string; setting: SchedulerSettingKey; help: string; duration?: boolean }> = [
  { key: 'loop_seconds', setting: 'loopSeconds', help: 'seconds between passes' },
  { key: 'min_runs', setting: 'minRuns', help: 'runs kept at least' },
  { key: 'max_runs', setting: 'maxRuns', help: 'runs kept at most' },
  { key: 'min_scheduled_time', setting: 'minScheduledTime', help: 'e.g. 1h, PT1H, 3600', duration: true },
  { key: 'max_scheduled_time', setting: 'maxScheduledTime', help: 'e.g. 100d, P100D', duration: true },
  { key: 'deployment_batch_size', setting: 'deploymentBatchSize', help: 'deployments per page' },
];

/** Seconds as the shortest duration the field accepts back ("100d", "1h", "90s"). */
export function durationText(seconds: number): string {
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60]] as const) if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}

function fieldText(view: SettingsView, f: (typeof FIELDS)[number]): string {
  const v = view.settings[f.setting];
  return typeof v === 'number' ? (f.duration ? durationText(v) : String(v)) : String(v);
}

/** Whether a typed value means something other than the current one (1h and 3600 are the same). */
function differs(f: (typeof FIELDS)[number], typed: string, view: SettingsView): boolean {
  const t = typed.trim();
  if (t === '') return false;
  const current = view.settings[f.setting];
  const n = f.duration ? durationSeconds(t) : Number(t);
  return n === null || !Number.isFinite(n) || n !== current;
}

export function SimulatePanel({ connectionId, deployments }: { connectionId: string; deployments: string[] }) {
  const [source, setSource] = useState<'live' | 'profile' | 'defaults'>('live');
  const [profile, setProfile] = useState('');
  const [edits, setEdits] = useState<Record<string, string>>({});
  const [horizon, setHorizon] = useState('24');
  const profiles = useRequest('profiles.list', { includeDeleted: false });
  const settings: SettingsSource = source === 'profile' ? { kind: 'profile', profile } : { kind: source };
  const ready = source !== 'profile' || profile !== '';
  const current = useRequest('schedules.settings', { connectionId, settings: ready ? settings : { kind: 'defaults' } }, `${connectionId}:${source}:${profile}`);
  const sim = useAction('schedules.simulate');
  const [result, setResult] = useState<Simulation | null>(null);

  // The fields show the settings the prediction starts from (typed values over them); a new source
  // starts them again.
  useEffect(() => setEdits({}), [connectionId, source, profile]);
  const shown = (f: (typeof FIELDS)[number]) => edits[f.key] ?? (current.data ? fieldText(current.data, f) : '');

  const changed = useMemo(() => (current.data ? FIELDS.filter((f) => differs(f, edits[f.key] ?? '', current.data!)) : []), [edits, current.data]);
  const run = async () => {
    const overrides = Object.fromEntries(changed.map((f) => [f.key, (edits[f.key] ?? '').trim()]));
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
        {current.error && <ErrorNotice title="Could not read the settings" error={current.error} />}
        {current.loading && !current.data && <Waiting label="Reading the scheduler settings…" startedAt={current.startedAt} timeoutMs={current.timeoutMs} onCancel={current.cancel} />}
        {current.data && (
          <>
            <div className="card__title sched-sim__title">
              Change a setting ({current.data.source}; {changed.length === 0 ? 'nothing changed yet' : `${changed.length} changed`})
            </div>
            <div className="sched-sim__fields">
              {FIELDS.map((f) => {
                const isChanged = changed.includes(f);
                return (
                  <label key={f.key} className={`field${isChanged ? ' sched-sim__field--changed' : ''}`}>
                    <span className="field__label mono">{f.key}</span>
                    <input className="input" value={shown(f)} onChange={(e) => setEdits((x) => ({ ...x, [f.key]: e.target.value }))} data-testid={`sim-${f.key}`} />
                    <span className="field__help">
                      {isChanged ? (
                        <>
                          now {fieldText(current.data!, f)} ·{' '}
                          <button type="button" className="btn--link link" onClick={() => setEdits((x) => Object.fromEntries(Object.entries(x).filter(([k]) => k !== f.key)))}>
                            put back
                          </button>
                        </>
                      ) : (
                        f.help
                      )}
                    </span>
                  </label>
                );
              })}
            </div>
            {current.data.notes.length > 0 && <p className="muted">{current.data.notes.join(' ')}</p>}
          </>
        )}
        <div className="form__actions">
          <button type="button" className="btn btn--primary" onClick={() => void run()} disabled={sim.running || !ready || !current.data} data-testid="simulate-run">
            {sim.running ? 'Simulating…' : changed.length ? `Predict with ${plural(changed.length, 'change')}` : 'Predict'}
          </button>
          {sim.running && <Waiting label="Stepping the scheduler loop by loop…" startedAt={sim.startedAt} timeoutMs={sim.timeoutMs} onCancel={sim.cancel} />}
        </div>
      </section>
      {sim.error && <ErrorNotice title="Could not simulate" error={sim.error} onDismiss={sim.clearError} />}
      {result && <SimulationView sim={result} />}
    </div>
  );
}

const signed = (n: number, text: string) => `${n > 0 ? '+' : ''}${text}`;

/** "+1,200 (+35 %)", "−2.5", "no change". */
export function deltaText(before: number, after: number): string {
  const d = delta(before, after);
  if (d.diff === 0) return 'no change';
  return `${signed(d.diff, formatNumber(d.diff, 2))}${d.ratio !== null ? ` (${d.ratio < 0 ? '-' : '+'}${formatShare(Math.abs(d.ratio))})` : ''}`;
}

function SimulationView({ sim }: { sim: Simulation }) {
  const b = sim.baseline;
  const m = sim.modified;
  const rows = b.schedules.map((s) => ({ s, t: m?.schedules.find((x) => x.scheduleId === s.scheduleId) ?? null }));
  const changes = Object.entries(sim.overrides).map(([k, v]) => `${k}=${settingText(k, v)}`).join(', ');
  const fmt = (whole: boolean, v: number) => (whole ? formatCount(v) : num(v));
  return (
    <section className="card" data-testid="simulation">
      <div className="card__title">Over the next {ahead(sim.horizonSeconds)}, loop by loop</div>
      {m && (
        <p data-testid="simulation-summary">
          With {changes} the scheduler would hold <strong>{formatCount(m.totals.held)}</strong> runs instead of {formatCount(b.totals.held)}, insert {formatCount(m.totals.insertsPerDay)} a day instead of {formatCount(b.totals.insertsPerDay)}, and compute {num(m.totals.datesGeneratedPerLoopAvg)} dates per loop instead of {num(b.totals.datesGeneratedPerLoopAvg)}.
        </p>
      )}
      <table className="table table--compact sched-sim__totals" data-testid="simulation-totals">
        <thead>
          <tr>
            <th />
            <th className="num">Now ({b.settings.source})</th>
            {m && <th className="num">With {changes}</th>}
            {m && <th className="num">Change</th>}
          </tr>
        </thead>
        <tbody>
          {SIM_METRICS.map((x) => {
            const before = x.value(b);
            const after = m ? x.value(m) : before;
            return (
              <tr key={x.key}>
                <td>{x.label}</td>
                <td className="num">{fmt(x.whole, before)}</td>
                {m && <td className={`num${after !== before ? ' sched-changed' : ''}`}>{fmt(x.whole, after)}</td>}
                {m && <td className="num nowrap" data-testid={`delta-${x.key}`}>{deltaText(before, after)}</td>}
              </tr>
            );
          })}
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
              {m && <th className="num">Change</th>}
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
                {m && <td className="num nowrap">{t ? deltaText(s.kept, t.kept) : '—'}</td>}
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
