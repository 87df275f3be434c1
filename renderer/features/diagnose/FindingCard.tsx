/**
 * One finding as an admin reads it mid-incident: the headline number, what was measured and where,
 * why it hurts (Prefect's mechanism), the fix as Housekeeper's actions, and what the fix predicts.
 */
import type { Action, Finding } from '../../../shared/domain/diagnose';
import { formatValue } from '../../../shared/domain/diagnose/markdown';
import { Badge, type Tone } from '../../components/Badge';
import { Inline } from './Inline';

export const SEVERITY_TONE: Record<Finding['severity'], Tone> = { critical: 'fail', high: 'fail', medium: 'warn', low: 'neutral' };

const KIND_LABEL: Record<Action['kind'], string> = { purge: 'Purge', recreate: 'Recreate', settings: 'Settings', retention: 'Retention', vacuum: 'VACUUM', manual: 'Owner' };

function ActionLine({ a }: { a: Action }) {
  return (
    <li className={`dg-action dg-action--${a.kind}`}>
      <span className="dg-action__kind">{KIND_LABEL[a.kind]}</span>
      <div className="dg-action__body">
        <div>
          <Inline text={a.title} />
        </div>
        {a.kind === 'settings' && (
          <ul className="dg-settings">
            {a.set.map((s) => (
              <li key={s.name}>
                <code className="mono dg-setting">
                  {s.name}={s.value}
                </code>
                <span className="muted">{s.reason}</span>
              </li>
            ))}
            {a.inputs.map((i) => (
              <li key={i.name}>
                <code className="mono">{i.name}</code> <span className="muted">{i.label}: you give it below</span>
              </li>
            ))}
          </ul>
        )}
        {a.kind === 'manual' && (
          <>
            <div className="muted">
              <Inline text={a.text} />
            </div>
            {a.command && <pre className="dg-command mono">{a.command}</pre>}
          </>
        )}
        {(a.kind === 'purge' || a.kind === 'recreate') && a.deployments.length > 0 && (
          <div className="muted dg-names">{a.deployments.slice(0, 8).map((d) => d.name).join(', ')}{a.deployments.length > 8 ? `, and ${a.deployments.length - 8} more` : ''}</div>
        )}
      </div>
    </li>
  );
}

export function FindingCard({ f, rank, picked, onToggle, fixable }: { f: Finding; rank: number; picked: boolean; onToggle: () => void; fixable: boolean }) {
  return (
    <article className={`card dg-finding dg-finding--${f.severity}`} data-testid="finding" data-finding={f.id}>
      <header className="dg-finding__head">
        <label className="dg-pick" title={fixable ? 'Fix it in this session' : 'Only the server’s owner can fix this one: the steps are below'}>
          <input type="checkbox" checked={picked} disabled={!fixable} onChange={onToggle} aria-label={`Fix: ${f.title}`} data-testid="finding-pick" />
        </label>
        <div className="dg-finding__title">
          <div>
            <span className="dg-rank">{rank}</span>
            <Badge tone={SEVERITY_TONE[f.severity]}>{f.severity}</Badge> <strong>{f.title}</strong>
          </div>
          <div className="muted mono dg-id">{f.id}</div>
        </div>
      </header>
      <div className="dg-finding__grid">
        <section>
          <div className="dg-label">Measured</div>
          <table className="table table--compact dg-measured">
            <tbody>
              {f.measured.map((m, i) => (
                <tr key={i}>
                  <td>{m.label}</td>
                  <td className={m.unit === 'text' ? 'dg-text' : 'num nowrap'}>
                    {m.exact ? '' : '≈'}
                    {formatValue(m.value, m.unit)}
                  </td>
                  <td className="muted dg-source">{m.source}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="dg-label">Why it hurts</div>
          <p className="dg-why">
            <Inline text={f.why} />
          </p>
          <div className="muted dg-refs mono">{f.refs.join(' · ')}</div>
        </section>
        <section>
          <div className="dg-label">Fix</div>
          <ul className="dg-actions">
            {f.actions.map((a, i) => (
              <ActionLine key={i} a={a} />
            ))}
          </ul>
          {f.effect.length > 0 && (
            <>
              <div className="dg-label">Predicted effect</div>
              <table className="table table--compact dg-effect" data-testid="finding-effect">
                <tbody>
                  {f.effect.map((e, i) => (
                    <tr key={i}>
                      <td>{e.label}</td>
                      <td className="num nowrap">{formatValue(e.before, e.unit)}</td>
                      <td className="dg-arrow" aria-hidden="true">→</td>
                      <td className="num nowrap dg-after">{formatValue(e.after, e.unit)}</td>
                      <td className="muted">{e.basis}{e.note ? `: ${e.note}` : ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
          {f.notes.map((n, i) => (
            <p key={i} className="muted dg-note">
              <Inline text={n} />
            </p>
          ))}
        </section>
      </div>
    </article>
  );
}
