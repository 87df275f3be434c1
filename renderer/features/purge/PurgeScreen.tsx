/**
 * Purge: filter -> preview (a dry run that freezes the cutoff and the runs) -> type the count ->
 * watch the batches -> totals, recount, VACUUM. One calm page; the number that will be deleted is
 * the biggest thing on it. #/purge is the filter and preview; #/purge/run/<planId> is an execution's
 * own page (the jobs tray links there), so leaving it or reloading loses nothing.
 */
import { useState } from 'react';
import type { PurgePlan } from '../../../shared/domain/purge';
import { useCurrentConnection } from '../../api/connections';
import { useAction, useRequest } from '../../api/hooks';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Waiting } from '../../components/Waiting';
import { href, navigate } from '../../lib/router';
import { ConfirmPanel } from './ConfirmPanel';
import { FilterForm } from './FilterForm';
import { INITIAL_FILTER, toFilter, type FilterState } from './filter-state';
import { PlanView } from './PlanView';
import { PurgeRun } from './PurgeRun';
import { UnfinishedPurges } from './UnfinishedPurges';

export function PurgeScreen({ path = [] }: { path?: string[] }) {
  const conn = useCurrentConnection();
  const [sub, planId] = path;
  if (!conn) {
    return (
      <div className="page">
        <EmptyState title="No connection selected" actions={<a className="btn btn--primary" href={href('connections')}>Choose a connection</a>}>
          Purge works on one Prefect server at a time.
        </EmptyState>
      </div>
    );
  }
  return (
    <div className="page page--purge">
      <header className="page__header">
        <div>
          <h1 className="page__title">Purge stale scheduled runs</h1>
          <p className="page__lead">
            Remove the Late and Scheduled backlog that no worker will run, without touching anything that started. Preview first;
            nothing is deleted until you type the count.
          </p>
        </div>
      </header>
      {sub === 'run' && planId ? <PurgeRun planId={planId} connectionId={conn.id} /> : <PurgePlanner connectionId={conn.id} readOnly={conn.readOnly} />}
    </div>
  );
}

function PurgePlanner({ connectionId, readOnly }: { connectionId: string; readOnly: boolean }) {
  const [filter, setFilter] = useState<FilterState>(INITIAL_FILTER);
  const [plan, setPlan] = useState<PurgePlan | null>(null);
  const targets = useRequest('purge.targets', { connectionId }, connectionId);
  const unfinished = useRequest('purge.unfinished', { connectionId }, connectionId);
  const planAction = useAction('purge.plan');
  const execAction = useAction('purge.execute');
  const resumeAction = useAction('purge.resume');

  const preview = async () => {
    setPlan(null);
    const p = await planAction.run({ connectionId, filter: toFilter(filter), executor: filter.executor });
    if (p) setPlan(p);
  };

  return (
    <>
      {targets.error && <ErrorNotice title="Could not list deployments" error={targets.error} />}
      <UnfinishedPurges
        items={unfinished.data ?? []}
        busy={resumeAction.running}
        onResume={(st) => void resumeAction.run({ planId: st.plan.planId }).then((r) => r && navigate('purge', 'run', st.plan.planId))}
      />
      {resumeAction.error && <ErrorNotice title="Could not resume" error={resumeAction.error} onDismiss={resumeAction.clearError} />}
      <FilterForm state={filter} onChange={(s) => { setFilter(s); setPlan(null); }} targets={targets.data} onPlan={() => void preview()} planning={planAction.running} readOnly={readOnly} />
      {planAction.running && <Waiting label="Counting the stale runs (a dry run; nothing is deleted)…" startedAt={planAction.startedAt} timeoutMs={planAction.timeoutMs} onCancel={planAction.cancel} testId="purge-waiting" />}
      {planAction.error && <ErrorNotice title="Preview failed; nothing was changed" error={planAction.error} onDismiss={planAction.clearError} />}
      {plan && <PlanView plan={plan} />}
      {plan && plan.count > 0 && (
        <>
          {execAction.error && <ErrorNotice title="Nothing was deleted" error={execAction.error} onDismiss={execAction.clearError} />}
          <ConfirmPanel
            plan={plan}
            busy={execAction.running}
            onBack={() => setPlan(null)}
            onConfirm={(opts) => void execAction.run({ planId: plan.planId, confirmCount: plan.count, ...opts }).then((r) => r && navigate('purge', 'run', plan.planId))}
          />
        </>
      )}
    </>
  );
}
