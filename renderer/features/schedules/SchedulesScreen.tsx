/**
 * Schedules: what every deployment's schedules will do (computed here) beside what the server holds,
 * the scheduler's load and predicted behaviour, and the changes that fix a fallen-behind server:
 * recreate from now, pause, resume, restore, and the backlog reset wizard.
 * #/schedules, #/schedules/simulate, #/schedules/changes, #/schedules/reset, and
 * #/schedules/change/<planId>: one applied change's page (the jobs tray links there).
 */
import { useState } from 'react';
import type { ChangeKind, ChangePlan } from '../../../shared/domain/schedules';
import { useCurrentConnection } from '../../api/connections';
import { useAction, useEvent, useRequest } from '../../api/hooks';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Segmented } from '../../components/Segmented';
import { Spinner } from '../../components/Spinner';
import { Waiting } from '../../components/Waiting';
import { href, navigate } from '../../lib/router';
import '../../styles/schedules.css';
import { ChangeReview } from './ChangeReview';
import { ChangePage, ChangeRun } from './ChangeRun';
import { ChangesPanel } from './ChangesPanel';
import { ResetWizard } from './ResetWizard';
import { ScheduleTable } from './ScheduleTable';
import { SimulatePanel } from './SimulatePanel';
import { SummaryBar } from './SummaryBar';

type Tab = 'list' | 'simulate' | 'changes';

export function SchedulesScreen({ path }: { path: string[] }) {
  const conn = useCurrentConnection();
  const [sub] = path;
  const tab: Tab = sub === 'simulate' ? 'simulate' : sub === 'changes' ? 'changes' : 'list';
  const list = useRequest('schedules.list', { connectionId: conn?.id ?? '' }, conn?.id ?? '');
  const changes = useRequest('schedules.changes', { connectionId: conn?.id ?? '' }, conn?.id ?? '');
  const planAction = useAction('schedules.plan');
  const applyAction = useAction('schedules.apply');
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [plan, setPlan] = useState<ChangePlan | null>(null);
  const [jobId, setJobId] = useState<string | null>(null);
  useEvent('jobs.finished', (j) => {
    if (j.kind.startsWith('schedules.')) changes.reload();
  });

  if (!conn) {
    return (
      <div className="page">
        <EmptyState title="No connection selected" actions={<a className="btn btn--primary" href={href('connections')}>Choose a connection</a>}>
          Schedules works on one Prefect server at a time.
        </EmptyState>
      </div>
    );
  }

  if (sub === 'change' && path[1]) {
    return (
      <div className="page page--schedules">
        <ChangePage planId={path[1]} onDone={() => { list.reload(); changes.reload(); navigate('schedules', 'changes'); }} onRestore={(id) => { navigate('schedules'); void start('restore', { changeId: id }); }} />
      </div>
    );
  }

  if (sub === 'reset') {
    return (
      <div className="page page--schedules">
        {list.data ? (
          <ResetWizard list={list.data} connectionId={conn.id} onClose={() => { list.reload(); changes.reload(); navigate('schedules'); }} />
        ) : list.error ? (
          <ErrorNotice title="Could not read the schedules" error={list.error} />
        ) : (
          <Spinner label="Reading schedules…" />
        )}
      </div>
    );
  }

  const start = async (kind: ChangeKind, extra: { changeId?: string } = {}) => {
    setJobId(null);
    const ids = list.data ? list.data.deployments.filter((d) => selected.has(d.id)).map((d) => d.id) : [];
    const p = await planAction.run({ connectionId: conn.id, kind, deployments: kind === 'restore' ? [] : ids, ...extra });
    if (p) setPlan(p);
  };
  const apply = async () => {
    if (!plan) return;
    const r = await applyAction.run({ planId: plan.planId, confirmCount: plan.confirmCount });
    if (r) {
      setPlan(null);
      navigate('schedules', 'change', plan.planId);
    }
  };
  const closeChange = () => {
    setPlan(null);
    setJobId(null);
    list.reload();
    changes.reload();
  };
  const n = selected.size;

  return (
    <div className={`page page--schedules${list.loading && list.data ? ' sched-stale' : ''}`} data-testid="schedules-page" data-loading={list.loading ? 'true' : 'false'}>
      <header className="page__header">
        <div>
          <h1 className="page__title">Schedules</h1>
          <p className="page__lead">What each schedule will do, what the server holds, and what the scheduler keeps. Times are in each schedule's own zone.</p>
        </div>
        <div className="page__actions">
          <Segmented
            label="View"
            value={tab}
            testId="schedules-tab"
            options={[{ value: 'list', label: 'Schedules' }, { value: 'simulate', label: 'Simulate' }, { value: 'changes', label: 'Changes' }]}
            onChange={(t) => navigate(...(t === 'list' ? ['schedules'] : ['schedules', t]))}
          />
          <button type="button" className="btn" onClick={list.reload} disabled={list.loading}>{list.loading && list.data ? 'Refreshing…' : 'Refresh'}</button>
        </div>
      </header>

      {plan && (
        jobId ? (
          <ChangeRun jobId={jobId} onDone={closeChange} onRestore={(id) => void start('restore', { changeId: id })} />
        ) : (
          <ChangeReview plan={plan} busy={applyAction.running} error={applyAction.error} onConfirm={() => void apply()} onBack={() => { setPlan(null); applyAction.clearError(); }} />
        )
      )}
      {planAction.running && <Waiting label="Working out the plan (nothing changes yet)…" startedAt={planAction.startedAt} timeoutMs={planAction.timeoutMs} onCancel={planAction.cancel} />}
      {planAction.error && <ErrorNotice title="Could not make the plan; nothing was changed" error={planAction.error} onDismiss={planAction.clearError} />}

      {!plan && tab === 'list' && (
        <>
          {list.error && <ErrorNotice title="Could not read the schedules" error={list.error} />}
          {list.loading && !list.data && <Waiting label="Reading deployments, schedules and the runs the server holds…" startedAt={list.startedAt} timeoutMs={list.timeoutMs} onCancel={list.cancel} />}
          {list.data && (
            <>
              <SummaryBar list={list.data} onReset={() => navigate('schedules', 'reset')} />
              {list.data.flags.map((f) => (
                <div key={f.code} className="sched-warnbox">{f.message}</div>
              ))}
              {list.data.deployments.length === 0 ? (
                <EmptyState title="No deployments on this server">Deployments and their schedules appear here once they exist.</EmptyState>
              ) : (
                <ScheduleTable
                  list={list.data}
                  selected={selected}
                  onSelect={setSelected}
                  actions={
                    <span className="sched-actions" data-testid="schedules-actions">
                      <button type="button" className="btn btn--small" disabled={!n || planAction.running} onClick={() => void start('recreate')} data-testid="action-recreate">Recreate from now…</button>
                      <button type="button" className="btn btn--small" disabled={!n || planAction.running} onClick={() => void start('pause')} data-testid="action-pause">Pause…</button>
                      <button type="button" className="btn btn--small" disabled={!n || planAction.running} onClick={() => void start('resume')} data-testid="action-resume">Resume…</button>
                      {conn.readOnly && <span className="badge badge--warn">read-only connection: plans only</span>}
                    </span>
                  }
                />
              )}
              <ul className="sched-notes">
                {list.data.notes.map((x) => (
                  <li key={x}>{x}</li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
      {!plan && tab === 'simulate' && <SimulatePanel connectionId={conn.id} deployments={[...selected]} />}
      {!plan && tab === 'changes' && (
        <>
          {changes.error && <ErrorNotice title="Could not read the changes" error={changes.error} />}
          <ChangesPanel items={changes.data ?? []} busy={planAction.running} onRestore={(id) => void start('restore', { changeId: id })} />
        </>
      )}
    </div>
  );
}
