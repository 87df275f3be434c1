/** A diff of settings: added, removed, changed, renamed; secrets masked by main. */
import type { DiffEntry } from '../../../shared/domain/profiles';

export function DiffList({ diff }: { diff: DiffEntry[] }) {
  if (diff.length === 0) return <p className="table-note">No differences.</p>;
  return (
    <ul className="diff" data-testid="diff">
      {diff.map((d) => (
        <li key={`${d.status}-${d.name}`} className={`diff__item diff__item--${d.status}`}>
          <span className="diff__sign" aria-hidden="true">
            {{ added: '+', removed: '−', changed: '~', renamed: '→' }[d.status]}
          </span>
          <span className="mono">{d.status === 'renamed' ? `${d.fromName} → ${d.name}` : d.name}</span>
          {d.status === 'changed' && (
            <span className="mono diff__values">
              <del>{d.before}</del> → <ins>{d.after}</ins>
            </span>
          )}
          {d.status === 'added' && <span className="mono diff__values"><ins>{d.after}</ins></span>}
          {d.status === 'removed' && <span className="mono diff__values"><del>{d.before}</del></span>}
        </li>
      ))}
    </ul>
  );
}
