/**
 * The combined plan, reviewed once: the steps in their fixed order with what each touches, the
 * settings and where they go (with the owner's restart spelled out), the work left to the owner,
 * then one confirmation by typing the number of runs it deletes (or, deleting none, of findings).
 */
import { useState } from 'react';
import type { SessionPlan } from '../../../shared/domain/diagnose';
import type { ClientError } from '../../api/client';
import { ErrorNotice } from '../../components/ErrorNotice';
import { formatCount, plural } from '../../lib/format';
import { Inline } from './Inline';

export function PlanReview({ plan, onConfirm, onBack, busy, error }: { plan: SessionPlan; onConfirm: () => void; onBack: () => void; busy: boolean; error: ClientError | null }) {
  const [typed, setTyped] = useState('');
  const ok = typed.trim() === String(plan.confirmCount);
  return (
    <section className="card dg-plan" data-testid="session-plan">
      <div className="card__title">One session for {plural(plan.findings.length, 'finding')}</div>
      <p className="muted">The steps run in this order, each as a job you can watch and cancel. Nothing has changed yet.</p>
      <ol className="dg-steps">
        {plan.steps.map((s) => (
          <li key={s.kind} className={`dg-step dg-step--${s.kind}`} data-testid="plan-step" data-step={s.kind}>
            <div className="dg-step__head">
              <strong>{s.title}</strong>
              <span className="dg-step__count">
                {formatCount(s.count)} {s.unit}
              </span>
            </div>
            <div className="muted">{s.detail}</div>
            {s.items.length > 0 && (
              <div className="dg-step__items mono">
                {s.items.slice(0, 10).join(', ')}
                {s.items.length > 10 ? `, and ${s.items.length - 10} more` : ''}
              </div>
            )}
          </li>
        ))}
      </ol>
      {plan.settings && (
        <div className="dg-restart" data-testid="plan-restart">
          <strong>
            Settings: profile “{plan.settings.profile}” {plan.settings.profileExists ? '(a new revision)' : '(created)'}, exported to <span className="mono">{plan.settings.path}</span>
          </strong>
          <p>
            <Inline text={plan.settings.restartNote} />
          </p>
        </div>
      )}
      {plan.manual.length > 0 && (
        <div className="dg-manual">
          <div className="dg-label">Left to the server’s owner (Housekeeper does not do these)</div>
          <ul>
            {plan.manual.map((m, i) => (
              <li key={i}>
                <strong>{m.title}.</strong>{' '}
                <span className="muted">
                  <Inline text={m.text} />
                </span>
                {m.command && <pre className="dg-command mono">{m.command}</pre>}
              </li>
            ))}
          </ul>
        </div>
      )}
      {plan.notes.map((n, i) => (
        <p key={i} className="muted">
          {n}
        </p>
      ))}
      {error && <ErrorNotice title="The session did not start; nothing was changed" error={error} />}
      <div className="form__actions dg-confirm">
        <button type="button" className="btn btn--quiet" onClick={onBack} disabled={busy}>
          Back to the findings
        </button>
        {plan.readOnly ? (
          <span className="muted">This connection is read-only: the plan can be reviewed, not run.</span>
        ) : (
          <>
            <label className="inline-field">
              <span>
                Type <strong>{plan.confirmCount}</strong> ({plan.confirmUnit === 'runs' ? `the ${plural(plan.confirmCount, 'run')} this session deletes, as planned now` : 'the findings this session fixes'}) to run it
              </span>
              <input className="input input--narrow" value={typed} onChange={(e) => setTyped(e.target.value)} inputMode="numeric" aria-label="Confirmation count" data-testid="session-confirm" />
            </label>
            <button type="button" className="btn btn--danger" disabled={!ok || busy} onClick={onConfirm} data-testid="session-run">
              {busy ? 'Starting…' : `Run the session (${plan.steps.length} steps)`}
            </button>
          </>
        )}
      </div>
    </section>
  );
}
