/**
 * Runs nobody will start: a Late backlog on deployments no worker polls, a backlog kept on paused
 * deployments, and scheduled runs of deployments that were deleted.
 */
import type { DeploymentBacklog } from '../../inspect';
import type { Evidence } from '../evidence';
import type { Action } from '../types';
import { ageText, n, plural, SRC, unavailable, utc, type CheckDef } from './common';

/** A deployment counts as unpolled when Prefect marks it NOT_READY or nobody polled for this long. */
export const POLL_STALE_MS = 10 * 60_000;

function unpolled(d: DeploymentBacklog, now: number): boolean {
  if (d.status === 'NOT_READY') return true;
  if (!d.lastPolled) return true;
  return now - Date.parse(d.lastPolled) > POLL_STALE_MS;
}

function queueNote(e: Evidence, deploymentId: string | null): string | null {
  if (!deploymentId || !e.api?.queues || !e.api.deploymentQueues) return null;
  const qid = e.api.deploymentQueues[deploymentId];
  const q = qid ? e.api.queues.find((x) => x.id === qid) : undefined;
  if (!q) return null;
  return `work queue ${q.pool ? `${q.pool}/` : ''}${q.name}${q.paused ? ' (paused)' : ''}, last polled ${ageText(q.lastPolled, e.now)}`;
}

export const lateNoWorkerCheck: CheckDef = {
  id: 'runs.late-no-worker',
  title: 'Late runs on deployments no worker polls',
  run(e) {
    const un = unavailable(e, ['runs']);
    if (un) return un;
    const late = e.report?.runs?.late;
    if (!late) return { status: 'unavailable', note: 'The Late backlog could not be read.' };
    const stuck = late.deployments.filter((d) => d.exists && d.deploymentId && d.paused !== true && d.count > 0 && unpolled(d, e.now));
    if (stuck.length === 0) {
      const polled = late.deployments.filter((d) => d.exists && d.count > 0 && d.paused !== true);
      return {
        status: 'clear',
        note: polled.length ? `${n(late.count)} Late runs, on ${plural(polled.length, 'deployment')} a worker polled in the last ${POLL_STALE_MS / 60_000} minutes.` : 'No Late runs on running deployments.',
      };
    }
    const count = stuck.reduce((a, d) => a + d.count, 0);
    const oldest = stuck.map((d) => d.first).filter((x): x is string => !!x).sort()[0] ?? null;
    const withSchedules = new Set((e.list?.deployments ?? []).filter((d) => d.schedules.length > 0).map((d) => d.id));
    const named = stuck.map((d) => ({ id: d.deploymentId!, name: d.name ?? d.deploymentId! }));
    const actions: Action[] = [
      { kind: 'purge', title: `Delete the ${n(count)} past-due runs of ${plural(named.length, 'deployment')} (Scheduled and Late, made by schedules)`, deployments: named, runs: count },
    ];
    const recreate = named.filter((d) => withSchedules.has(d.id));
    if (recreate.length) actions.push({ kind: 'recreate', title: `Recreate their schedules from now, so nothing backfills`, deployments: recreate });
    actions.push({ kind: 'manual', title: 'Bring a worker back', text: 'Start a worker (or a `serve` process) for the work pools and queues of these deployments; Housekeeper clears the backlog so it does not start everything at once when it returns.', command: null });
    return {
      status: 'raised',
      finding: {
        id: 'runs.late-no-worker',
        severity: count >= 1000 ? 'critical' : count >= 100 ? 'high' : 'medium',
        magnitude: Math.min(1, count / 50_000),
        title: `${n(count)} Late runs on ${plural(stuck.length, 'deployment')} that no worker polls`,
        measured: [
          { label: 'Late runs on unpolled deployments', value: count, unit: 'runs', source: e.report?.source === 'api' ? SRC.lateApi : SRC.lateDb, exact: late.exact },
          { label: 'Oldest expected start', value: utc(oldest), unit: 'text', source: 'flow_run.expected_start_time', exact: true },
          ...stuck.slice(0, 6).map((d) => ({
            label: `${d.name ?? d.deploymentId} · ${d.status ?? 'status unknown'} · polled ${ageText(d.lastPolled, e.now)}`,
            value: d.count,
            unit: 'runs' as const,
            source: `${SRC.deployment}${queueNote(e, d.deploymentId) ? `; ${queueNote(e, d.deploymentId)}` : ''}`,
            exact: true,
          })),
        ],
        why: "Prefect's late_runs service only relabels Scheduled runs that passed their start time as Late; nothing starts them until a worker polls their work queue, and a worker that comes back submits every due run at once, on top of the schedules' new ones.",
        refs: ['prefect/server/services/late_runs.py', 'prefect/server/services/foreman.py (deployment status NOT_READY)', 'prefect/workers/base.py (get_and_submit_flow_runs)'],
        actions,
        effect: [{ label: 'Late runs', before: count, after: 0, unit: 'runs', basis: 'plan', note: 'or the newest N per deployment, if the session keeps some' }],
        notes: recreate.length < named.length ? [`${plural(named.length - recreate.length, 'deployment')} without schedules: only the purge applies.`] : [],
      },
    };
  },
};

export const pausedBacklogCheck: CheckDef = {
  id: 'runs.paused-backlog',
  title: 'Past-due runs kept on paused deployments',
  run(e) {
    const un = unavailable(e, ['schedules']);
    if (un) return un;
    const paused = e.list!.deployments.filter((d) => d.paused && d.pastDue > 0);
    if (paused.length === 0) return { status: 'clear', note: `${plural(e.list!.deployments.filter((d) => d.paused).length, 'paused deployment')}, none with past-due runs.` };
    const count = paused.reduce((a, d) => a + d.pastDue, 0);
    return {
      status: 'raised',
      finding: {
        id: 'runs.paused-backlog',
        severity: count >= 100 ? 'high' : 'medium',
        magnitude: Math.min(1, count / 20_000),
        title: `${n(count)} past-due runs wait on ${plural(paused.length, 'paused deployment')}`,
        measured: [
          { label: 'Past-due runs on paused deployments', value: count, unit: 'runs', source: SRC.pastDue, exact: true },
          ...paused.slice(0, 6).map((d) => ({ label: d.fullName, value: d.pastDue, unit: 'runs' as const, source: SRC.pastDue, exact: true })),
        ],
        why: 'Pausing a deployment (PATCH paused=true) stops the scheduler and deletes only its future auto-scheduled runs; the past-due Scheduled and Late runs stay queued, and a worker starts all of them the moment the deployment is resumed.',
        refs: ['prefect/server/models/deployments.py (update_deployment, _delete_scheduled_runs future_only)', 'PrefectHQ/prefect#17703'],
        actions: [{ kind: 'purge', title: `Delete the ${n(count)} past-due runs (the deployments stay paused)`, deployments: paused.map((d) => ({ id: d.id, name: d.fullName })), runs: count }],
        effect: [{ label: 'Past-due runs on paused deployments', before: count, after: 0, unit: 'runs', basis: 'plan' }],
        notes: [],
      },
    };
  },
};

export const orphanedCheck: CheckDef = {
  id: 'runs.orphaned',
  title: 'Scheduled runs of deleted deployments',
  run(e) {
    const db = e.report?.runs?.orphans.deploymentGone ?? null;
    const api = e.list?.totals.orphaned ?? null;
    if (db === null && api === null) return unavailable(e, ['runs', 'schedules']) ?? { status: 'unavailable', note: 'Neither the database nor the API count could be read.' };
    const count = db?.count ?? api ?? 0;
    if (count === 0) return { status: 'clear', note: 'Every scheduled run belongs to a deployment that exists.' };
    const gone = e.pg?.goneDeployments ?? null;
    const pastDue = gone ? gone.reduce((a, g) => a + g.pastDue, 0) : null;
    const actions: Action[] = [];
    if (gone && pastDue) {
      actions.push({ kind: 'purge', title: `Delete the ${n(pastDue)} past-due runs of ${plural(gone.length, 'deleted deployment')}`, deployments: gone.filter((g) => g.pastDue > 0).map((g) => ({ id: g.id, name: `deleted deployment ${g.id.slice(0, 8)}` })), runs: pastDue });
    }
    if (!gone) {
      actions.push({ kind: 'manual', title: 'Connect the database', text: 'Finding which deployments the runs belonged to needs database access (the API cannot filter runs by a deployment that no longer exists). Add the database to this connection and diagnose again.', command: null });
    } else if (pastDue !== null && pastDue < count) {
      actions.push({ kind: 'manual', title: 'Future runs of deleted deployments', text: `${n(count - pastDue)} of them are still in the future; Purge deletes them once their time has passed (run the diagnosis again then).`, command: null });
    }
    return {
      status: 'raised',
      finding: {
        id: 'runs.orphaned',
        severity: count >= 1000 ? 'high' : 'medium',
        magnitude: Math.min(1, count / 20_000),
        title: `${n(count)} scheduled runs belong to ${db ? plural(db.deployments, 'deleted deployment') : 'deleted deployments'}`,
        measured: [
          { label: 'Scheduled runs of deleted deployments', value: count, unit: 'runs', source: db ? SRC.orphansDb : 'POST /api/flow_runs/count (made by schedules, minus those of existing deployments)', exact: true },
          ...(db ? [{ label: 'Deleted deployments they belong to', value: db.deployments, unit: 'count' as const, source: SRC.orphansDb, exact: true }] : []),
          ...(db?.oldest ? [{ label: 'Oldest expected start', value: utc(db.oldest), unit: 'text' as const, source: SRC.orphansDb, exact: true }] : []),
          ...(pastDue !== null ? [{ label: 'Past due (deletable now)', value: pastDue, unit: 'runs' as const, source: SRC.orphansDb, exact: true }] : []),
        ],
        why: 'flow_run.deployment_id has no foreign key, so runs outlive a deployment deleted outside Prefect’s own cleanup; no scheduler or worker ever looks at them again, but every query over scheduled runs (the scheduler’s, the UI’s) still reads them.',
        refs: ['prefect/server/database/orm_models.py (FlowRun.deployment_id)', 'PrefectHQ/prefect#15697'],
        actions,
        effect: pastDue !== null ? [{ label: 'Scheduled runs of deleted deployments', before: count, after: count - pastDue, unit: 'runs', basis: 'plan' }] : [],
        notes: [],
      },
    };
  },
};
