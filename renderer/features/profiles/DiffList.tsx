/**
 * A diff of settings: added, removed, changed, renamed; secrets masked by main. A new value Prefect
 * rejects is shown as rejected (red, with the word), never in the green of an accepted value.
 */
import type { DiffEntry } from '../../../shared/domain/profiles';

export function DiffList({ diff, rejected }: { diff: DiffEntry[]; rejected?: ReadonlySet<string> }) {
  if (diff.length === 0) return <p className="table-note">No differences.</p>;
  const bad = (name: string) => rejected?.has(name.toUpperCase()) ?? false;
  const after = (d: DiffEntry) =>
    bad(d.name) ? (
      <ins className="diff__rejected" title="Prefect rejects this value">
        {d.after} <span className="diff__tag">rejected</span>
      </ins>
    ) : (
      <ins>{d.after}</ins>
    );
  return (
    <ul className="diff" data-testid="diff">
      {diff.map((d) => (
        <li key={`${d.status}-${d.name}`} className={`diff__item diff__item--${d.status}${bad(d.name) && d.status !== 'removed' ? ' diff__item--rejected' : ''}`} data-testid={`diff-${d.name}`}>
          <span className="diff__sign" aria-hidden="true">
            {{ added: '+', removed: '−', changed: '~', renamed: '→' }[d.status]}
          </span>
          <span className="mono">{d.status === 'renamed' ? `${d.fromName} → ${d.name}` : d.name}</span>
          {d.status === 'changed' && (
            <span className="mono diff__values">
              <del>{d.before}</del> → {after(d)}
            </span>
          )}
          {d.status === 'added' && <span className="mono diff__values">{after(d)}</span>}
          {d.status === 'removed' && <span className="mono diff__values"><del>{d.before}</del></span>}
        </li>
      ))}
    </ul>
  );
}
