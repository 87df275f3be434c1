/** Every check with its result (so silence is visible), and what Housekeeper read, grouped. */
import type { Diagnosis } from '../../../shared/domain/diagnose';
import { Badge } from '../../components/Badge';

export function ChecksPanel({ d }: { d: Diagnosis }) {
  const clear = d.checks.filter((c) => c.status === 'clear').length;
  const un = d.checks.filter((c) => c.status === 'unavailable').length;
  return (
    <details className="card dg-checks" data-testid="checks">
      <summary>
        <strong>All {d.checks.length} checks</strong>
        <span className="muted">
          {' '}
          · {d.findings.length} raised, {clear} clear{un ? `, ${un} could not run` : ''}
        </span>
      </summary>
      <table className="table table--compact">
        <tbody>
          {d.checks.map((c) => (
            <tr key={c.id} data-check={c.id} data-status={c.status}>
              <td>{c.title}</td>
              <td>
                <Badge tone={c.status === 'raised' ? 'warn' : c.status === 'clear' ? 'ok' : 'skip'}>{c.status}</Badge>
              </td>
              <td className="muted">{c.note}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

export function FactsPanel({ d }: { d: Diagnosis }) {
  const groups = [...new Set(d.facts.map((f) => f.group))];
  return (
    <details className="card dg-facts">
      <summary>
        <strong>What Housekeeper read</strong>
        <span className="muted"> · settings, services, messaging, pool and database, each with its source</span>
      </summary>
      <div className="dg-facts__grid">
        {groups.map((g) => (
          <div key={g}>
            <div className="dg-label">{g}</div>
            <dl className="kv">
              {d.facts
                .filter((f) => f.group === g)
                .map((f) => (
                  <div key={f.label} title={f.source}>
                    <dt>{f.label}</dt>
                    <dd className="mono">{f.value}</dd>
                  </div>
                ))}
            </dl>
          </div>
        ))}
      </div>
      {d.notes.length > 0 && (
        <ul className="muted dg-notes">
          {d.notes.map((n, i) => (
            <li key={i}>{n}</li>
          ))}
        </ul>
      )}
    </details>
  );
}
