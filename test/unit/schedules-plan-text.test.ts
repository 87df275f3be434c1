/**
 * A change plan accounts for every chosen deployment (issue #13 item 2): each listed one says in one
 * sentence what applying does to it, and the CLI prints the ones left out with their reasons.
 */
import { describe, expect, it } from 'vitest';
import type { ChangePlan, DeploymentChange, ScheduleChange } from '../../shared/domain/schedules';
import { actionOf } from '../../main/core/schedules/plan';
import { formatPlan } from '../../main/cli/commands/schedules-format';

const stored = (kind: string) => ({ id: `s-${kind}`, schedule: { [kind]: kind === 'interval' ? 60 : kind === 'cron' ? '*/5 * * * *' : 'FREQ=HOURLY' }, active: true, parameters: {}, slug: null, maxScheduledRuns: null });
const sched = (kind: 'interval' | 'cron' | 'rrule', written: boolean): ScheduleChange => ({
  id: `s-${kind}`,
  kind,
  slug: null,
  active: true,
  before: stored(kind),
  after: written ? stored(kind) : null,
  beforeText: `${kind} before`,
  afterText: written ? `${kind} after` : null,
  changes: written ? ['anchor_date'] : [],
  nextRuns: [],
  notes: [],
});
const dep = (name: string, schedules: ScheduleChange[], over: Partial<DeploymentChange> = {}): DeploymentChange => ({
  deploymentId: name,
  name,
  pausedBefore: false,
  pausedAfter: false,
  schedules,
  futureRunsGoing: 12,
  pastDueGoing: 40,
  action: '',
  notes: [],
  ...over,
});

describe('what a plan says about each deployment', () => {
  it('a cron-only deployment is recreated too: kept as it is, runs cleared and made again, backlog purged', () => {
    expect(actionOf('reset', dep('reports/cron', [sched('cron', false)]))).toBe(
      '1 cron schedule kept as it is; paused while it changes, then resumed; about 12 future runs cleared and made again by the scheduler; 40 past-due runs removed by Purge.',
    );
  });

  it('names the kinds rewritten, the ones kept, and a paused deployment that stays paused', () => {
    const text = actionOf('recreate', dep('ml/multi', [sched('interval', true), sched('rrule', true), sched('cron', false)], { pausedBefore: true, pausedAfter: true, pastDueGoing: 0 }));
    expect(text).toBe('2 schedules rewritten from the new anchor (interval, rrule); 1 cron schedule kept as it is; stays paused; about 12 future runs cleared and made again by the scheduler; no past-due runs to remove.');
  });

  it('pause, resume and restore say what they do', () => {
    expect(actionOf('pause', dep('a/b', [sched('interval', false)]))).toMatch(/^Paused; Prefect drops its 12 future runs; its Late runs stay\.$/);
    expect(actionOf('resume', dep('a/b', []))).toMatch(/^Resumed;/);
    expect(actionOf('restore', dep('a/b', [sched('interval', true)], { pausedBefore: true, pausedAfter: false }))).toBe('1 schedule written back as before; resumed again.');
  });

  it('the CLI prints every deployment with its action, and the left-out ones with their reason', () => {
    const d = dep('reports/cron', [sched('cron', false)]);
    const plan: ChangePlan = {
      planId: 'p1',
      kind: 'reset',
      connectionId: 'c',
      connectionName: 'prod',
      createdAt: '2026-12-01T00:00:00Z',
      anchor: '2026-12-01T00:00:00Z',
      anchorGiven: 'now',
      restoresChangeId: null,
      deployments: [{ ...d, action: actionOf('reset', d) }],
      leftOut: [{ deploymentId: 'x', name: 'etl/no-schedule', reason: 'It has no schedule, so there is nothing to recreate.' }],
      totals: { deployments: 1, schedules: 0, futureRunsGoing: 12, pastDueGoing: 40 },
      purgePreview: null,
      keepNewest: 0,
      confirmCount: 1,
      notes: [],
      readOnly: false,
    };
    const text = formatPlan(plan);
    expect(text).toContain('reports/cron: ~12 future runs and 40 past-due runs go');
    expect(text).toContain('  1 cron schedule kept as it is;');
    expect(text).toContain('Left out (1 of the 2 chosen):');
    expect(text).toContain('  etl/no-schedule: It has no schedule, so there is nothing to recreate.');
  });
});
