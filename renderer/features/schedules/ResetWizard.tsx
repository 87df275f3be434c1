/**
 * The backlog reset: choose deployments -> preview everything (the backlog as Purge sees it, each
 * schedule before and after, the order of the steps) -> type the count -> watch it -> the new runs.
 * Nothing changes before the last confirmation; a failure before the purge puts everything back.
 */
import { useEffect, useMemo, useState } from 'react';
import type { ChangePlan, DeploymentRow, ScheduleList } from '../../../shared/domain/schedules';
import { useAction } from '../../api/hooks';
import { isFinished, useJob } from '../../api/jobs';
import { ErrorNotice } from '../../components/ErrorNotice';
import { DataTable } from '../../components/table/DataTable';
import type { Column, Filter } from '../../components/table/types';
import { formatCount, formatDateTime, plural } from '../../lib/format';
import { ChangeReview } from './ChangeReview';
import { ChangeRun } from './ChangeRun';

type Step = 'choose' | 'preview' | 'run';

const CHOOSE_COLUMNS: Array<Column<DeploymentRow>> = [
  {
    id: 'deployment',
    header: 'Deployment',
    width: '38%',
    sortValue: (d) => d.fullName,
    cell: (d) => (
      <>
        {d.fullName}
        {d.paused && <span className="muted"> (paused)</span>}
      </>
    ),
  },
  { id: 'pastDue', header: 'Past due', width: '12%', numeric: true, descFirst: true, sortValue: (d) => d.pastDue, cell: (d) => <span className={d.pastDue ? 'sched-pastdue' : 'muted'}>{formatCount(d.pastDue)}</span> },
  {
    id: 'schedules',
    header: 'Schedules',
    sortValue: (d) => d.schedules.map((s) => s.kind).join(' '),
    cell: (d) => <span className="muted">{d.schedules.map((s) => `${s.slug ?? s.description} (${s.kind ?? 'unknown'})`).join(', ')}</span>,
  },
];

const CHOOSE_FILTERS: Array<Filter<DeploymentRow>> = [
  {
    id: 'state',
    label: 'Show',
    allLabel: 'All with a schedule',
    options: [
      { value: 'backlog', label: 'With past-due runs', test: (d) => d.pastDue > 0 },
      { value: 'paused', label: 'Paused', test: (d) => d.paused },
    ],
  },
  {
    id: 'kind',
    label: 'Kind',
    allLabel: 'Any kind',
    options: (['interval', 'cron', 'rrule'] as const).map((k) => ({ value: k, label: k, test: (d: DeploymentRow) => d.schedules.some((s) => s.kind === k) })),
  },
];
const STEPS: Array<{ id: Step | 'done'; label: string }> = [
  { id: 'choose', label: 'Choose' },
  { id: 'preview', label: 'Preview' },
  { id: 'run', label: 'Apply' },
  { id: 'done', label: 'New runs' },
];

export function ResetWizard({ list, connectionId, onClose }: { list: ScheduleList; connectionId: string; onClose: () => void }) {
  const withBacklog = useMemo(() => list.deployments.filter((d) => d.pastDue > 0 && d.schedules.length > 0), [list]);
  const candidates = useMemo(() => list.deployments.filter((d) => d.schedules.length > 0), [list]);
  const names = useMemo(() => new Map(candidates.map((d) => [d.id, d.fullName])), [candidates]);
  const [picked, setPicked] = useState<ReadonlySet<string>>(() => new Set(withBacklog.map((d) => d.id)));
  const [anchorMode, setAnchorMode] = useState<'now' | 'at'>('now');
  const [anchorAt, setAnchorAt] = useState('');
  const [keepNewest, setKeepNewest] = useState('0');
  const [step, setStep] = useState<Step>('choose');
  const [plan, setPlan] = useState<ChangePlan | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  const [finished, setFinished] = useState(false);
  const planAction = useAction('schedules.plan');
  const applyAction = useAction('schedules.apply');

  const keep = Number(keepNewest);
  const keepValid = Number.isInteger(keep) && keep >= 0 && keep <= 10_000;
  const preview = async () => {
    const p = await planAction.run({
      connectionId,
      kind: 'reset',
      deployments: candidates.filter((d) => picked.has(d.id)).map((d) => d.id),
      anchor: anchorMode === 'now' ? 'now' : anchorAt.trim(),
      keepNewest: keep,
    });
    if (p) {
      setPlan(p);
      setStep('preview');
    }
  };
  const apply = async () => {
    if (!plan) return;
    const r = await applyAction.run({ planId: plan.planId, confirmCount: plan.confirmCount });
    if (r) {
      setJobId(r.jobId);
      setStep('run');
    }
  };
  const current = finished ? 'done' : step;

  return (
    <div className="sched-wizard" data-testid="reset-wizard">
      <header className="page__header">
        <div>
          <h1 className="page__title">Reset a Late backlog</h1>
          <p className="page__lead">Pause, clear the past-due runs, recreate the schedules from now, resume. You see all of it before anything changes.</p>
        </div>
        <div className="page__actions">
          <button type="button" className="btn btn--quiet" onClick={onClose} disabled={step === 'run' && !finished}>Close</button>
        </div>
      </header>
      <ol className="sched-stepper" aria-label="Steps">
        {STEPS.map((s, i) => (
          <li key={s.id} className={`sched-stepper__step${s.id === current ? ' sched-stepper__step--on' : ''}${STEPS.findIndex((x) => x.id === current) > i ? ' sched-stepper__step--done' : ''}`} aria-current={s.id === current ? 'step' : undefined}>
            <span className="sched-stepper__n">{i + 1}</span> {s.label}
          </li>
        ))}
      </ol>

      {step === 'choose' && (
        <section className="card" data-testid="reset-choose">
          <div className="card__title">Which deployments</div>
          <p className="muted">Preselected: those with past-due runs. Every schedule of a chosen deployment is recreated.</p>
          <DataTable
            testId="reset-deployments"
            rowTestId="reset-row"
            noun="deployment"
            rows={candidates}
            rowId={(d) => d.id}
            columns={CHOOSE_COLUMNS}
            searchText={(d) => `${d.fullName} ${d.schedules.map((s) => `${s.slug ?? ''} ${s.description}`).join(' ')}`}
            filters={CHOOSE_FILTERS}
            initialSort={{ id: 'pastDue', desc: true }}
            selection={{ selected: picked, onChange: setPicked, label: (id) => `Reset ${names.get(id) ?? id}` }}
            rowAttributes={(d) => ({ 'data-deployment': d.fullName })}
            height="short"
            compact
            rowHeight={34}
          />
          <div className="field-grid sched-wizard__opts">
            <label className="field">
              <span className="field__label">New anchor</span>
              <span className="sched-inline">
                <label className="sched-check"><input type="radio" name="anchor" checked={anchorMode === 'now'} onChange={() => setAnchorMode('now')} /> now</label>
                <label className="sched-check"><input type="radio" name="anchor" checked={anchorMode === 'at'} onChange={() => setAnchorMode('at')} /> at</label>
                <input className="input" placeholder="2026-11-30T09:00:00+01:00" value={anchorAt} onChange={(e) => { setAnchorAt(e.target.value); setAnchorMode('at'); }} aria-label="Anchor time" />
              </span>
              <span className="field__help">Interval schedules run on anchor + k × interval; rrules get an explicit DTSTART that keeps their times; crons have no anchor.</span>
            </label>
            <label className="field">
              <span className="field__label">Keep the newest past-due runs</span>
              <input className="input input--narrow" value={keepNewest} onChange={(e) => setKeepNewest(e.target.value)} inputMode="numeric" aria-label="Keep newest per deployment" />
              <span className="field__help">Per deployment, e.g. 1 to still run the latest once. 0 clears them all.</span>
            </label>
          </div>
          {planAction.error && <ErrorNotice title="The preview failed; nothing was changed" error={planAction.error} onDismiss={planAction.clearError} />}
          <div className="form__actions">
            <button type="button" className="btn btn--primary" disabled={picked.size === 0 || planAction.running || !keepValid || (anchorMode === 'at' && !anchorAt.trim())} onClick={() => void preview()} data-testid="reset-preview">
              {planAction.running ? 'Working out the plan…' : `Preview the reset of ${plural(picked.size, 'deployment')}`}
            </button>
          </div>
        </section>
      )}

      {step === 'preview' && plan && (
        <>
          {plan.purgePreview && (
            <section className="card" data-testid="reset-backlog">
              <div className="card__title">The backlog (as Purge sees it now)</div>
              <p>
                <strong className="sched-pastdue">{formatCount(plan.purgePreview.count)}</strong> past-due runs
                {plan.purgePreview.oldest ? `, the oldest due ${formatDateTime(plan.purgePreview.oldest)}` : ''}
                {plan.keepNewest ? `; the newest ${formatCount(plan.keepNewest)} of each deployment are kept (${formatCount(plan.purgePreview.kept)} in all)` : ''}.
                Runs that fall due before the apply are removed too; runs a worker starts meanwhile are left alone.
              </p>
            </section>
          )}
          <ChangeReview plan={plan} busy={applyAction.running} error={applyAction.error} onConfirm={() => void apply()} onBack={() => { setStep('choose'); setPlan(null); }} />
        </>
      )}

      {step === 'run' && jobId && (
        <ChangeRun jobId={jobId} onDone={onClose} doneLabel="Done" />
      )}
      {step === 'run' && jobId && <FinishWatcher jobId={jobId} onFinished={() => setFinished(true)} />}
    </div>
  );
}

function FinishWatcher({ jobId, onFinished }: { jobId: string; onFinished: () => void }) {
  const job = useJob(jobId);
  const done = !!job && isFinished(job);
  useEffect(() => {
    if (done) onFinished();
  }, [done, onFinished]);
  return null;
}
