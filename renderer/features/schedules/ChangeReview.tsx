/**
 * A change plan before anything happens: per deployment the schedules before and after (fields that
 * change named), the runs that go away, what applying does step by step; then the number of
 * deployments typed back. Presentational: the screen owns the requests.
 */
import { useState, type FormEvent } from 'react';
import type { ChangePlan, DeploymentChange } from '../../../shared/domain/schedules';
import { Badge } from '../../components/Badge';
import { ErrorNotice, type ErrorLike } from '../../components/ErrorNotice';
import { formatCount } from '../../lib/format';
import { useEscape } from '../../lib/keys';
import { plural, shortTime } from './format';

const VERB: Record<ChangePlan['kind'], string> = { recreate: 'Recreate', reset: 'Reset', pause: 'Pause', resume: 'Resume', restore: 'Restore' };

export function steps(plan: ChangePlan): string[] {
  switch (plan.kind) {
    case 'reset':
    case 'recreate':
      return [
        'Pause each deployment, so no scheduler pass can add runs of the old schedules meanwhile (Prefect drops their future runs).',
        `Write each interval and rrule schedule back with its new ${plan.anchor ? `anchor (${shortTime(plan.anchor)})` : 'anchor'}, keeping its id, slug, zone, parameters and active flag. Cron schedules have no anchor and are kept as they are.`,
        `Remove the past-due runs with Purge (re-checked run by run${plan.keepNewest ? `, keeping the newest ${plan.keepNewest} per deployment` : ''}).`,
        'Resume what was running before; the scheduler fills the new schedules within seconds.',
        'Check that the new runs start after now and fall on the new times.',
      ];
    case 'pause':
      return ['Pause each deployment: the scheduler stops creating runs; Prefect drops the future runs it made. Late runs stay.'];
    case 'resume':
      return ['Resume each deployment: the scheduler creates its runs again within seconds.'];
    case 'restore':
      return ['Pause each deployment while its schedules change.', 'Write the original schedules back (ids, slugs, parameters, active flags).', 'Set each deployment paused or running as it was.'];
  }
}

export function ChangeReview({ plan, busy, error, onConfirm, onBack }: {
  plan: ChangePlan;
  busy: boolean;
  error: ErrorLike | null;
  onConfirm: () => void;
  onBack: () => void;
}) {
  const [typed, setTyped] = useState('');
  const n = plan.confirmCount;
  const t = plan.totals;
  const left = plan.leftOut ?? [];
  const chosen = plan.deployments.length + left.length;
  const matches = typed.trim() === String(n);
  useEscape(onBack, !busy);
  // Enter in the count field confirms, as on the Purge screen, once the typed count matches.
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (matches && !busy) onConfirm();
  };
  return (
    <section className="card sched-review" data-testid="change-review">
      <div className="sched-review__head">
        <div className="sched-review__count">{formatCount(n)}</div>
        <div>
          <div className="sched-review__what">
            {VERB[plan.kind]} {plural(n, 'deployment')}
            {plan.anchor && plan.kind !== 'pause' && plan.kind !== 'resume' ? ` from ${shortTime(plan.anchor)}` : ''}
          </div>
          <div className="muted">
            {plural(t.schedules, 'schedule')} written · about {plural(t.futureRunsGoing, 'future run')} replaced · {plural(t.pastDueGoing, 'past-due run')} removed
          </div>
          <div className="muted" data-testid="change-chosen">
            {left.length === 0 ? `All ${plural(chosen, 'chosen deployment')} are in this plan.` : `${formatCount(chosen)} chosen: ${formatCount(plan.deployments.length)} in this plan, ${formatCount(left.length)} left out (reasons below).`}
          </div>
        </div>
      </div>
      <ol className="sched-steps">
        {steps(plan).map((s) => (
          <li key={s}>{s}</li>
        ))}
      </ol>
      {plan.notes.length > 0 && (
        <ul className="sched-notes">
          {plan.notes.map((x) => (
            <li key={x}>{x}</li>
          ))}
        </ul>
      )}
      <div className="sched-review__list">
        {plan.deployments.map((d) => (
          <DeploymentChangeView key={d.deploymentId} d={d} />
        ))}
      </div>
      {left.length > 0 && (
        <div className="sched-leftout" data-testid="change-left-out">
          <div className="card__title">Left out of this plan ({formatCount(left.length)})</div>
          <ul>
            {left.map((l) => (
              <li key={l.deploymentId} data-testid="change-left-out-item">
                <strong>{l.name}</strong>: {l.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      {n === 0 ? (
        <div className="form__actions">
          <button type="button" className="btn" onClick={onBack}>Back</button>
        </div>
      ) : plan.readOnly ? (
        <div className="sched-warnbox">This connection is read-only: the plan can be reviewed, not applied.</div>
      ) : (
        <>
          {error && <ErrorNotice title="Nothing was changed" error={error} />}
          <form className="sched-confirm" onSubmit={submit}>
            <label className="field">
              <span className="field__label">Type {n} to confirm</span>
              <input className="input input--narrow" value={typed} onChange={(e) => setTyped(e.target.value)} inputMode="numeric" autoComplete="off" data-testid="change-confirm-input" />
            </label>
            <div className="form__actions">
              <button type="submit" className={`btn ${plan.kind === 'resume' ? 'btn--primary' : 'btn--danger'}`} disabled={!matches || busy} data-testid="change-apply">
                {VERB[plan.kind]} {plural(n, 'deployment')}
              </button>
              <button type="button" className="btn btn--quiet" onClick={onBack}>Back (Esc)</button>
            </div>
          </form>
        </>
      )}
    </section>
  );
}

function DeploymentChangeView({ d }: { d: DeploymentChange }) {
  return (
    <div className="sched-change" data-testid="change-deployment">
      <div className="sched-change__head">
        <strong>{d.name}</strong>
        {d.pausedBefore !== d.pausedAfter ? <Badge tone="accent">{d.pausedAfter ? 'will be paused' : 'will be resumed'}</Badge> : d.pausedAfter ? <Badge tone="skip">stays paused</Badge> : null}
        <span className="muted">
          {formatCount(d.futureRunsGoing)} future · <span className={d.pastDueGoing ? 'sched-pastdue' : undefined}>{formatCount(d.pastDueGoing)} past due</span> go
        </span>
      </div>
      {d.action && <div className="sched-change__action" data-testid="change-action">{d.action}</div>}
      {d.schedules.filter((s) => s.after).map((s) => (
        <div key={s.id} className="sched-diff">
          <div className="sched-diff__line sched-diff__line--old"><span aria-hidden="true">−</span> {s.beforeText}</div>
          <div className="sched-diff__line sched-diff__line--new"><span aria-hidden="true">+</span> {s.afterText}</div>
          <div className="sched-diff__meta">
            {s.changes.map((c) => (
              <Badge key={c} tone="accent">{c}</Badge>
            ))}
            {s.nextRuns.length > 0 && <span className="muted mono">next {s.nextRuns.slice(0, 3).map(shortTime).join(', ')}</span>}
          </div>
          {s.notes.map((x) => (
            <div key={x} className="muted sched-sub">{x}</div>
          ))}
        </div>
      ))}
      {d.schedules.filter((s) => !s.after).map((s) => (
        <div key={s.id} className="sched-diff sched-diff--same muted" data-kind={s.kind ?? 'unknown'}>
          = {s.beforeText}
          {s.notes.map((x) => (
            <div key={x} className="sched-sub">{x}</div>
          ))}
        </div>
      ))}
      {d.notes.map((x) => (
        <div key={x} className="muted sched-sub">{x}</div>
      ))}
    </div>
  );
}
