/**
 * What-if: the Schedules simulator run twice on one connection's real schedules, with the server's
 * live scheduler settings and with this profile's, so an admin sees what the profile would do to
 * the number of scheduled runs before restarting a server with it.
 */
import { useState } from 'react';
import type { Simulation } from '../../../shared/domain/schedules';
import type { ProfileView } from '../../../shared/domain/profiles';
import { SIM_METRICS, type SimMetric } from '../../../shared/schedules/sim-metrics';
import { call } from '../../api/client';
import { useConnections } from '../../api/connections';
import { toClientError } from '../../api/errors';
import type { ClientError } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { formatCount, formatNumber } from '../../lib/format';
import { href } from '../../lib/router';

interface Pair {
  live: Simulation;
  profile: Simulation;
}

/** The same metrics, with the same names, as Schedules > Simulate (shared/schedules/metrics.ts). */
const ROWS: readonly SimMetric[] = SIM_METRICS;

const fmt = (n: number) => (Number.isInteger(n) || Math.abs(n) >= 100 ? formatCount(n) : formatNumber(n, 1));

export function WhatIfPanel({ view }: { view: ProfileView }) {
  const { connections, currentId } = useConnections();
  const [connectionId, setConnectionId] = useState(currentId ?? connections[0]?.id ?? '');
  const [pair, setPair] = useState<Pair | null>(null);
  const [error, setError] = useState<ClientError | null>(null);
  const [running, setRunning] = useState(false);

  if (connections.length === 0) {
    return (
      <p className="table-note">
        Add a connection first: <a href={href('connections')}>Connections</a>.
      </p>
    );
  }
  const run = async () => {
    setRunning(true);
    setError(null);
    try {
      const [live, profile] = await Promise.all([
        call('schedules.simulate', { connectionId, settings: { kind: 'live' } }),
        call('schedules.simulate', { connectionId, settings: { kind: 'profile', profile: view.name } }),
      ]);
      setPair({ live, profile });
    } catch (e) {
      setError(toClientError(e));
    } finally {
      setRunning(false);
    }
  };
  const changed = pair
    ? pair.profile.baseline.schedules
        .map((s) => ({ s, before: pair.live.baseline.schedules.find((b) => b.scheduleId === s.scheduleId)?.kept ?? 0 }))
        .filter((x) => x.s.kept !== x.before)
        .sort((a, b) => Math.abs(b.s.kept - b.before) - Math.abs(a.s.kept - a.before))
        .slice(0, 12)
    : [];
  return (
    <div className="whatif" data-testid="whatif">
      <p className="table-note">
        Predicts, from this connection's schedules, how many scheduled runs Prefect's scheduler keeps and writes with the server's
        current settings and with the settings saved in <strong>{view.name}</strong> (revision {view.rev}). Nothing changes anywhere.
      </p>
      <div className="input-row">
        <select className="input" value={connectionId} onChange={(e) => { setConnectionId(e.target.value); setPair(null); }} aria-label="Connection">
          {connections.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} ({c.apiUrl})
            </option>
          ))}
        </select>
        <button type="button" className="btn btn--primary" disabled={running || !connectionId} onClick={() => void run()} data-testid="whatif-run">
          {running ? 'Simulating…' : 'Simulate'}
        </button>
      </div>
      {error && <ErrorNotice title="Could not simulate" error={error} />}
      {pair && (
        <>
          <table className="table table--compact" data-testid="whatif-totals">
            <thead>
              <tr><th /><th className="num">Now ({pair.live.baseline.settings.source})</th><th className="num">With {view.name}</th><th className="num">Change</th></tr>
            </thead>
            <tbody>
              {ROWS.map((r) => {
                const a = r.value(pair.live.baseline);
                const b = r.value(pair.profile.baseline);
                return (
                  <tr key={r.label}>
                    <td title={r.help}>{r.label}</td>
                    <td className="num">{fmt(a)}</td>
                    <td className="num">{fmt(b)}</td>
                    <td className="num">{b === a ? '—' : `${b > a ? '+' : ''}${fmt(b - a)}`}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {changed.length > 0 && (
            <>
              <h3 className="section-title">Schedules whose kept runs change most</h3>
              <table className="table table--compact">
                <thead>
                  <tr><th>Deployment</th><th>Schedule</th><th className="num">Keeps now</th><th className="num">Keeps with {view.name}</th><th>Limited by</th></tr>
                </thead>
                <tbody>
                  {changed.map(({ s, before }) => (
                    <tr key={s.scheduleId}>
                      <td>{s.deployment}</td>
                      <td>{s.label}</td>
                      <td className="num">{fmt(before)}</td>
                      <td className="num">{fmt(s.kept)}</td>
                      <td className="mono">{s.limitedBy}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
          {[...new Set([...pair.live.notes, ...pair.profile.notes, ...pair.profile.baseline.settings.notes])].map((n) => (
            <p className="table-note" key={n}>{n}</p>
          ))}
          <p className="table-note">The server reads its settings at start: restart it (and any separate background-services process) with the profile for the change to happen.</p>
        </>
      )}
    </div>
  );
}
