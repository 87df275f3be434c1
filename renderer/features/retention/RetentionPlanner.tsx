/** #/retention: the form beside Prefect's own retention, the plan (a dry run), the typed confirmation. */
import { useState } from 'react';
import type { RetentionPlan } from '../../../shared/domain/retention';
import { useAction, useRequest } from '../../api/hooks';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Waiting } from '../../components/Waiting';
import { navigate } from '../../lib/router';
import { INITIAL_FORM, toRetentionFilter, type RetentionForm as FormState } from './form-state';
import { planHasWork } from './plan-logic';
import { PrefectVacuumCard } from './PrefectVacuumCard';
import { RetentionConfirm } from './RetentionConfirm';
import { RetentionForm } from './RetentionForm';
import { RetentionPlanView } from './RetentionPlanView';
import { UnfinishedRetentions } from './UnfinishedRetentions';

export function RetentionPlanner({ connectionId, readOnly }: { connectionId: string; readOnly: boolean }) {
  const [form, setForm] = useState<FormState>(INITIAL_FORM);
  const [plan, setPlan] = useState<RetentionPlan | null>(null);
  const context = useRequest('retention.context', { connectionId }, connectionId);
  const unfinished = useRequest('retention.unfinished', { connectionId }, connectionId);
  const planAction = useAction('retention.plan');
  const execAction = useAction('retention.execute');
  const resumeAction = useAction('retention.resume');

  const makePlan = async () => {
    setPlan(null);
    execAction.clearError();
    const p = await planAction.run({ connectionId, filter: toRetentionFilter(form), executor: 'auto' });
    if (p) setPlan(p);
  };

  return (
    <>
      <UnfinishedRetentions
        items={unfinished.data ?? []}
        busy={resumeAction.running}
        onResume={(s) => void resumeAction.run({ planId: s.plan.planId }).then((r) => r && navigate('retention', 'run', s.plan.planId))}
      />
      {resumeAction.error && <ErrorNotice title="Could not resume; nothing was deleted" error={resumeAction.error} onDismiss={resumeAction.clearError} />}
      <div className="ret-top">
        <RetentionForm
          state={form}
          onChange={(s) => {
            setForm(s);
            setPlan(null);
          }}
          deployments={context.data?.deployments}
          contextError={context.error}
          onPlan={() => void makePlan()}
          planning={planAction.running}
          readOnly={readOnly}
        />
        <PrefectVacuumCard context={context.data} error={context.error} plan={plan} />
      </div>
      {planAction.running && (
        <Waiting label="Counting what would be deleted, table by table (a dry run; nothing is deleted)…" startedAt={planAction.startedAt} timeoutMs={planAction.timeoutMs} onCancel={planAction.cancel} testId="retention-waiting" />
      )}
      {planAction.error && (
        <div data-testid="retention-plan-error">
          <ErrorNotice title="No plan: nothing was changed" error={planAction.error} onDismiss={planAction.clearError} />
        </div>
      )}
      {plan && <RetentionPlanView plan={plan} />}
      {plan && planHasWork(plan) && (
        <>
          {execAction.error && <ErrorNotice title="Nothing was deleted" error={execAction.error} onDismiss={execAction.clearError} />}
          <RetentionConfirm
            plan={plan}
            busy={execAction.running}
            onBack={() => setPlan(null)}
            onConfirm={(opts) => void execAction.run({ planId: plan.planId, confirmCount: plan.confirmCount, ...opts }).then((r) => r && navigate('retention', 'run', plan.planId))}
          />
        </>
      )}
    </>
  );
}
