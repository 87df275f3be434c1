/**
 * Compare this profile with a live server's settings (GET /api/admin/settings): the same,
 * different, set only here, set only on the server. Servers read settings at start, so a change
 * shows as drift until the server restarts. The counts are counted from the rows shown, and what the
 * filters hide is said, so a number never disagrees with the table (issue #13 item 7).
 */
import { useState } from 'react';
import { driftCounts, type DriftEntry, type DriftReport, type DriftStatus, type ProfileView } from '../../../shared/domain/profiles';
import { useConnections } from '../../api/connections';
import { useAction } from '../../api/hooks';
import { Badge, type Tone } from '../../components/Badge';
import { ErrorNotice } from '../../components/ErrorNotice';
import { plural } from '../../lib/format';
import { href } from '../../lib/router';

const STATUS: Record<DriftStatus, { label: string; tone: Tone }> = {
  different: { label: 'different', tone: 'fail' },
  'profile-only': { label: 'only in profile', tone: 'warn' },
  'server-only': { label: 'only on server', tone: 'accent' },
  unknown: { label: 'secret, masked', tone: 'skip' },
  same: { label: 'same', tone: 'ok' },
};

export function DriftPanel({ view }: { view: ProfileView }) {
  const { connections, currentId } = useConnections();
  const [connectionId, setConnectionId] = useState(currentId ?? connections[0]?.id ?? '');
  const [report, setReport] = useState<DriftReport | null>(null);
  const [showSame, setShowSame] = useState(false);
  const [serverScopeOnly, setServerScopeOnly] = useState(true);
  const drift = useAction('profiles.drift');

  if (connections.length === 0) {
    return (
      <p className="table-note">
        Add a connection first: <a href={href('connections')}>Connections</a>.
      </p>
    );
  }
  const clientOnly = (e: DriftEntry) => e.scope === 'client' && e.profileValue === null;
  const rows = report?.entries.filter((e) => (showSame || e.status !== 'same') && (!serverScopeOnly || !clientOnly(e))) ?? [];
  const counts = driftCounts(rows);
  const hiddenSame = report && !showSame ? report.entries.filter((e) => e.status === 'same').length : 0;
  const hiddenClient = report && serverScopeOnly ? report.entries.filter((e) => clientOnly(e) && (showSame || e.status !== 'same')).length : 0;
  const parts = [
    `${counts.different} different`,
    `${counts.profileOnly} only in the profile`,
    `${counts.serverOnly} only on the server`,
    ...(counts.unknown ? [`${counts.unknown} masked`] : []),
    ...(showSame ? [`${counts.same} the same`] : []),
  ];
  return (
    <div className="drift" data-testid="drift">
      <div className="input-row">
        <select className="input" value={connectionId} onChange={(e) => setConnectionId(e.target.value)} aria-label="Server" data-testid="drift-connection">
          {connections.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} ({c.apiUrl})
            </option>
          ))}
        </select>
        <button type="button" className="btn btn--primary" disabled={!connectionId || drift.running} onClick={() => void drift.run({ id: view.id, connectionId }).then(setReport)} data-testid="drift-run">
          {drift.running ? 'Reading settings…' : 'Compare'}
        </button>
      </div>
      {drift.error && <ErrorNotice title="Could not read the server's settings" error={drift.error} onDismiss={drift.clearError} />}
      {report && (
        <>
          <p className="drift__summary" data-testid="drift-summary">
            Revision {report.rev} (for Prefect {report.profileLine}) vs {report.connectionName} (Prefect {report.serverVersion ?? '?'}, compared with {report.line}’s settings):{' '}
            {parts.join(', ')}.
          </p>
          {(hiddenSame > 0 || hiddenClient > 0) && (
            <p className="table-note" data-testid="drift-hidden">
              Not in the table:{' '}
              {[hiddenSame ? `${plural(hiddenSame, 'setting')} that match` : '', hiddenClient ? `${plural(hiddenClient, 'client-only setting')} the server runs away from the default` : '']
                .filter(Boolean)
                .join(' and ')}{' '}
              (see the boxes below).
            </p>
          )}
          {report.notes.map((n) => (
            <p className="table-note" key={n}>
              {n}
            </p>
          ))}
          <p className="table-note">
            “Only on the server”: set by the server’s environment, .env, prefect.toml or its own profile, away from Prefect {report.line}’s default. {report.restartNote}
          </p>
          <label className="check-line">
            <input type="checkbox" checked={showSame} onChange={(e) => setShowSame(e.target.checked)} /> Show settings that match
          </label>
          <label className="check-line">
            <input type="checkbox" checked={serverScopeOnly} onChange={(e) => setServerScopeOnly(e.target.checked)} /> Hide client-only settings the profile does not set
          </label>
          <div className="table-wrap">
            <table className="table table--compact" data-testid="drift-table">
              <thead>
                <tr>
                  <th>Status</th>
                  <th>Setting</th>
                  <th>Profile</th>
                  <th>Server</th>
                  <th>Default</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((e) => (
                  <tr key={e.env} data-testid={`drift-${e.env}`}>
                    <td>
                      <Badge tone={STATUS[e.status].tone}>{STATUS[e.status].label}</Badge>
                    </td>
                    <td className="mono">
                      {e.env}
                      {e.note && e.status !== 'server-only' && <div className="cell-sub">{e.note}</div>}
                    </td>
                    <td className="mono">{e.profileValue ?? '—'}</td>
                    <td className="mono">{e.serverValue ?? '—'}</td>
                    <td className="mono">{e.defaultValue ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {rows.length === 0 && <p className="table-note">No drift.</p>}
          </div>
        </>
      )}
    </div>
  );
}
