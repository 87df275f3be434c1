/**
 * Diagnose's pure parts with hand-made evidence: the recommended scheduler settings never loosen
 * what a server runs with, the session's steps come out in the safe order with settings merged and
 * inputs filled in, the log sample tells batched from one-by-one inserts, the process count only
 * rises on evidence, and the report is a ticket-ready Markdown document.
 */
import { describe, expect, it } from 'vitest';
import {
  combine,
  diagnosisMarkdown,
  recommendedScheduler,
  runChecks,
  sessionMarkdown,
  type Diagnosis,
  type Finding,
  type PgProbe,
  type Session,
} from '../../shared/domain/diagnose';
import { DEFAULT_SCHEDULER_SETTINGS } from '../../shared/schedules/settings';
import { processesOf } from '../../main/core/diagnose/gather';
import { summarizeLogs } from '../../main/core/diagnose/probe-pg';
import { evidenceWith } from './support/evidence-fixture';

const finding = (id: Finding['id'], actions: Finding['actions']): Finding => ({ id, severity: 'high', impact: 3.5, title: id, measured: [], why: 'w', refs: [], actions, effect: [], notes: [] });

describe('recommended scheduler settings', () => {
  it('tightens only what is looser than the preset', () => {
    expect(recommendedScheduler(DEFAULT_SCHEDULER_SETTINGS)).toEqual({ minScheduledTime: 900, maxScheduledTime: 86400, maxRuns: 20, loopSeconds: 30 });
    expect(recommendedScheduler({ ...DEFAULT_SCHEDULER_SETTINGS, minScheduledTime: 300, maxRuns: 10, loopSeconds: 15, maxScheduledTime: 3600 })).toEqual({});
  });
});

describe('combine', () => {
  const purge = (id: string) => ({ kind: 'purge' as const, title: 'p', deployments: [{ id, name: `n-${id}` }], runs: 10 });
  it('orders steps pause, purge, recreate, settings, resume, vacuum, whatever the findings’ order', () => {
    const c = combine(
      [
        finding('space.autovacuum-behind', [{ kind: 'vacuum', title: 'v', tables: ['log'], freeze: false }]),
        finding('api.default-limit-high', [{ kind: 'settings', title: 's', preset: null, scope: 'server', set: [{ name: 'PREFECT_SERVER_API_DEFAULT_LIMIT', value: '200', reason: 'r' }], inputs: [] }]),
        finding('runs.late-no-worker', [purge('a'), { kind: 'recreate', title: 'r', deployments: [{ id: 'a', name: 'n-a' }] }]),
        finding('runs.orphaned', [purge('gone')]),
      ],
      { inputs: {}, vacuumAfterPurge: true },
    );
    expect(c.steps.map((s) => s.kind)).toEqual(['pause', 'purge', 'recreate', 'settings', 'resume', 'vacuum']);
    expect(c.deployments).toEqual({ pauseResume: ['a'], purge: ['a', 'gone'], recreate: ['a'] });
    expect(c.steps.find((s) => s.kind === 'purge')).toMatchObject({ count: 20, unit: 'runs', findings: ['runs.late-no-worker', 'runs.orphaned'] });
    // A purge on Postgres is followed by VACUUM of the tables it deleted from.
    expect(c.vacuum.tables).toEqual(expect.arrayContaining(['log', 'flow_run', 'flow_run_state']));
  });

  it('keeps the first value of a setting two findings disagree on, and says so', () => {
    const set = (v: string) => ({ kind: 'settings' as const, title: 's', preset: null, scope: 'server' as const, set: [{ name: 'PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS', value: v, reason: 'r' }], inputs: [] });
    const c = combine([finding('scheduler.horizon-too-long', [set('20')]), finding('schedules.sub-minute', [set('50')])], { inputs: {}, vacuumAfterPurge: false });
    expect(c.settings).toEqual([expect.objectContaining({ value: '20', finding: 'scheduler.horizon-too-long' })]);
    expect(c.notes[0]).toMatch(/MAX_RUNS: 20 .* is kept; schedules.sub-minute suggested 50/);
  });

  it('fills inputs into values, and reports the ones missing', () => {
    const a = { kind: 'settings' as const, title: 's', preset: null, scope: 'server' as const, set: [{ name: 'PREFECT_SERVER_DOCKET_URL', value: 'redis://{PREFECT_REDIS_MESSAGING_HOST}:6379/1', reason: 'r' }], inputs: [{ name: 'PREFECT_REDIS_MESSAGING_HOST', label: 'Redis host', placeholder: 'redis' }] };
    expect(combine([finding('messaging.in-memory-multi-process', [a])], { inputs: {}, vacuumAfterPurge: false }).missingInputs).toHaveLength(1);
    const c = combine([finding('messaging.in-memory-multi-process', [a])], { inputs: { PREFECT_REDIS_MESSAGING_HOST: 'cache.internal' }, vacuumAfterPurge: false });
    expect(c.settings.map((s) => `${s.name}=${s.value}`)).toEqual(['PREFECT_SERVER_DOCKET_URL=redis://cache.internal:6379/1', 'PREFECT_REDIS_MESSAGING_HOST=cache.internal']);
  });

  it('leaves manual work out of the steps but keeps it for the owner', () => {
    const c = combine([finding('server.version-known-fix', [{ kind: 'manual', title: 'Upgrade', text: 't', command: 'pip install -U prefect' }])], { inputs: {}, vacuumAfterPurge: true });
    expect(c.steps).toEqual([]);
    expect(c.manual).toEqual([{ finding: 'server.version-known-fix', title: 'Upgrade', text: 't', command: 'pip install -U prefect' }]);
  });
});

describe('log sample', () => {
  const t0 = 1_700_000_000;
  it('sees a batch: close logs inserted within microseconds', () => {
    const rows = Array.from({ length: 40 }, (_, i) => ({ run: 'r', t: t0 + i * 0.02, u: t0 + 2 + i * 0.00001 }));
    const s = summarizeLogs(rows);
    expect(s).toMatchObject({ closePairs: 39, splitPairs: 0, example: { logs: 40, inserts: 1 } });
  });
  it('sees logs sent one by one: each insert milliseconds apart', () => {
    const rows = Array.from({ length: 40 }, (_, i) => ({ run: 'r', t: t0 + i * 0.02, u: t0 + 1 + i * 0.05 }));
    expect(summarizeLogs(rows)).toMatchObject({ closePairs: 39, splitPairs: 39, example: { inserts: 40 } });
  });
  it('does not count logs far apart in client time', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ run: 'r', t: t0 + i * 5, u: t0 + i * 5 + 0.1 }));
    expect(summarizeLogs(rows)).toMatchObject({ closePairs: 0, splitPairs: 0 });
  });
});

describe('server processes', () => {
  const probe = (addresses: string[] | null, prefect = 10): PgProbe => ({
    maxConnections: 100,
    reserved: 3,
    sessions: { total: prefect, prefect, ours: 0, idleInTransaction: 0, addresses },
    tableFreezeMaxAge: {},
    xminHolders: [],
    goneDeployments: null,
    oldestEvent: null,
  });
  it('is what the user says, else distinct client addresses, else one', () => {
    expect(processesOf(3, probe(['10.0.0.1']))).toMatchObject({ count: 3, basis: 'stated' });
    expect(processesOf(undefined, probe(['10.0.0.1', '10.0.0.2']))).toMatchObject({ count: 2, basis: 'inferred' });
    // Many sessions from one address prove nothing: a Prefect process keeps a pool per event loop.
    expect(processesOf(undefined, probe(['127.0.0.1'], 40))).toMatchObject({ count: 1, basis: 'assumed' });
    expect(processesOf(undefined, null)).toMatchObject({ count: 1, basis: 'assumed' });
  });
});

describe('checks without evidence', () => {
  it('report unavailable with the reason, never a finding', () => {
    const e = evidenceWith({
      missing: { settings: 'GET /api/admin/settings could not be read: 503.', schedules: 'schedules could not be read: 503.', inspection: 'inspection failed.', runs: 'inspection failed.', space: 'no database.' },
    });
    const r = runChecks(e);
    expect(r.findings).toEqual([]);
    expect(r.checks.every((c) => c.status === 'unavailable')).toBe(true);
    expect(r.checks.find((c) => c.id === 'scheduler.horizon-too-long')?.note).toMatch(/503/);
  });
});

describe('markdown', () => {
  const d: Diagnosis = {
    id: 'd1',
    connectionId: 'c',
    connectionName: 'prod',
    createdAt: '2026-12-01T10:00:00.000Z',
    durationMs: 812,
    source: 'postgres',
    apiUrl: 'http://x/api',
    prefectVersion: '3.9.1',
    inspectionId: null,
    processes: { count: 1, basis: 'assumed', evidence: 'x' },
    findings: [{ ...finding('runs.late-no-worker', [{ kind: 'purge', title: 'Delete 410 | runs', deployments: [{ id: 'a', name: 'etl/a' }], runs: 410 }]), measured: [{ label: 'Late runs', value: 410, unit: 'runs', source: 'flow_run', exact: true }], effect: [{ label: 'Late runs', before: 410, after: 0, unit: 'runs', basis: 'plan' }] }],
    checks: [{ id: 'runs.late-no-worker', title: 'Late', status: 'raised', note: 'n' }],
    metrics: [{ key: 'late', label: 'Late runs', value: 410, unit: 'runs', source: 's' }],
    whatIf: null,
    facts: [{ group: 'Server', label: 'Prefect version', value: '3.9.1', source: 'GET /api/admin/version' }],
    pauseDeletesBacklog: null,
    timings: {},
    notes: [],
    readOnly: false,
  };
  it('renders findings with their numbers, sources, the fix and the effect', () => {
    const md = diagnosisMarkdown(d);
    expect(md).toMatch(/^# Diagnosis of prod/);
    expect(md).toContain('| Late runs | 410 | flow_run |');
    expect(md).toContain('- **Purge**: Delete 410 | runs (etl/a)');
    expect(md).toContain('| Late runs | 410 | 0 | plan |');
  });
  it('renders a session with the steps and before/after side by side', () => {
    const s: Session = {
      before: d,
      after: { ...d, findings: [], metrics: [{ ...d.metrics[0]!, value: 0 }] },
      status: 'done',
      jobId: 'j',
      plan: {
        sessionId: 's1',
        connectionId: 'c',
        connectionName: 'prod',
        createdAt: d.createdAt,
        diagnosisId: 'd1',
        findings: [{ id: 'runs.late-no-worker', title: 'Late', severity: 'high' }],
        steps: [{ kind: 'purge', title: 'Purge', detail: 'Delete', items: ['etl/a'], count: 410, unit: 'runs', findings: ['runs.late-no-worker'] }],
        settings: null,
        keepNewest: 0,
        targets: { pauseResume: [], purge: ['a'], recreate: [], vacuumTables: [], freeze: false, retentionDays: null },
        serverProcesses: null,
        confirmCount: 1,
        confirmUnit: 'findings',
        manual: [],
        notes: [],
        readOnly: false,
      },
      outcome: {
        status: 'done',
        steps: [{ kind: 'purge', status: 'done', jobId: 'p', message: 'Deleted 410 of 410', durationMs: 900 }],
        comparison: [{ key: 'late', label: 'Late runs', unit: 'runs', before: 410, after: 0, afterRestart: null }],
        resolved: ['runs.late-no-worker'],
        remaining: [],
        appeared: [],
        settingsWritten: null,
        restart: null,
        message: 'Session done: 1 of 1 findings resolved.',
        durationMs: 1200,
      },
    };
    const md = sessionMarkdown(s);
    expect(md).toContain('| Late runs | 410 | 0 |  |');
    expect(md).toContain('| 1 | Purge | Delete | 410 runs | done: Deleted 410 of 410 |');
    expect(md).toContain('resolved');
  });
});
