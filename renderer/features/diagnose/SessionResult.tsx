/**
 * How the session ended: the numbers before and after side by side (and what the simulator predicts
 * once the server restarts with the saved settings), each step's result, the restart the owner must
 * do with the exact file, and the session as Markdown for a ticket.
 */
import type { Session } from '../../../shared/domain/diagnose';
import { formatValue } from '../../../shared/domain/diagnose/markdown';
import { Badge, type Tone } from '../../components/Badge';
import { saveLabel } from '../../api/files';
import { formatDuration } from '../../lib/format';
import { Inline } from './Inline';

const STATUS_TONE: Record<string, Tone> = { done: 'ok', skipped: 'skip', failed: 'fail', cancelled: 'warn', 'not-run': 'skip', partial: 'warn' };

export function SessionResult({ s, onReport, onCopy, onSaveSettings, onDone, busy }: { s: Session; onReport: () => void; onCopy: () => void; onSaveSettings: () => void; onDone: () => void; busy: boolean }) {
  const o = s.outcome;
  if (!o) return null;
  const better = (before: number | null, after: number | null) => before !== null && after !== null && after < before;
  return (
    <section className="card dg-result" data-testid="session-result" data-status={o.status}>
      <div className="dg-result__head">
        <Badge tone={STATUS_TONE[o.status] ?? 'neutral'}>{o.status}</Badge> <strong data-testid="session-message">{o.message}</strong>
        <span className="muted"> · {formatDuration(o.durationMs)}</span>
      </div>
      {o.restart && (
        <div className="dg-restart" data-testid="session-restart">
          <strong>The server’s owner must restart it.</strong> <Inline text={o.restart} />
          {o.settingsWritten && (
            <div>
              <button type="button" className="btn btn--small" onClick={onSaveSettings} disabled={busy} data-testid="session-settings-file">
                {saveLabel(`the settings (profile “${o.settingsWritten.profile}” revision ${o.settingsWritten.rev})`)}
              </button>
            </div>
          )}
        </div>
      )}
      <div className="dg-result__grid">
        <div>
          <div className="dg-label">Before and after</div>
          <table className="table table--compact dg-compare" data-testid="before-after">
            <thead>
              <tr>
                <th />
                <th className="num">Before</th>
                <th className="num">After</th>
                <th className="num">After the restart (predicted)</th>
              </tr>
            </thead>
            <tbody>
              {o.comparison.map((c) => (
                <tr key={c.key} data-metric={c.key}>
                  <td>{c.label}</td>
                  <td className="num">{formatValue(c.before, c.unit)}</td>
                  <td className={`num${better(c.before, c.after) ? ' dg-better' : ''}`}>{formatValue(c.after, c.unit)}</td>
                  <td className={`num${better(c.before, c.afterRestart) ? ' dg-better' : ''}`}>{c.afterRestart === null ? '' : formatValue(c.afterRestart, c.unit)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div>
          <div className="dg-label">Steps</div>
          <table className="table table--compact" data-testid="session-steps">
            <tbody>
              {o.steps.map((x) => (
                <tr key={x.kind} data-step={x.kind} data-status={x.status}>
                  <td className="nowrap">{x.kind}</td>
                  <td>
                    <Badge tone={STATUS_TONE[x.status] ?? 'neutral'}>{x.status}</Badge>
                  </td>
                  <td className="muted">{x.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {o.resolved.length > 0 && <p><strong>Resolved:</strong> <span className="mono">{o.resolved.join(', ')}</span></p>}
          {(o.remaining.length > 0 || o.appeared.length > 0) && (
            <p>
              <strong>Still shown:</strong> <span className="mono">{[...o.remaining, ...o.appeared.map((x) => `${x} (new)`)].join(', ')}</span>
            </p>
          )}
        </div>
      </div>
      <div className="form__actions">
        <button type="button" className="btn btn--primary" onClick={onDone} data-testid="session-done">
          Back to the findings
        </button>
        <button type="button" className="btn" onClick={onReport} disabled={busy} data-testid="session-report">
          {saveLabel('the report (Markdown)')}
        </button>
        <button type="button" className="btn btn--quiet" onClick={onCopy} disabled={busy}>
          Copy it for a ticket
        </button>
      </div>
    </section>
  );
}
