/**
 * The session plan on a server that deletes a paused deployment's past-due runs (Prefect before 3.3.4,
 * the capability the diagnosis recorded): "keep the newest N" cannot hold once the pause step runs, so
 * the plan is refused (nothing changes), and without keep-newest the plan says the pause removes the
 * backlog. A newer server (the capability false) plans as before. A saved diagnosis, a real store.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnosis, Finding } from '../../shared/domain/diagnose';
import type { ResolvedConnection } from '../../main/core/connections/types';
import { ConnectionDraftSchema } from '../../shared/domain/connection';
import { createContext } from '../../main/context';
import { diagnoseOf } from '../../main/handlers/diagnose';

let home: string;
let ctx: ReturnType<typeof createContext>;
let conn: ResolvedConnection;
beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-dpp-'));
  ctx = createContext({ face: 'cli', home });
  // A saved connection (diagnoses belong to one); nothing here talks to it.
  const v = ctx.connections.save(undefined, ConnectionDraftSchema.parse({ name: 'old-prefect', apiUrl: 'http://127.0.0.1:9/api' }));
  conn = ctx.connections.resolve(v.id);
});
afterAll(async () => {
  await ctx.close();
  fs.rmSync(home, { recursive: true, force: true });
});

const late: Finding = {
  id: 'runs.late-no-worker',
  severity: 'high',
  impact: 3.5,
  title: 'Late runs',
  measured: [],
  why: 'w',
  refs: [],
  actions: [
    { kind: 'purge', title: 'p', deployments: [{ id: 'd1', name: 'etl/a' }], runs: 40 },
    { kind: 'recreate', title: 'r', deployments: [{ id: 'd1', name: 'etl/a' }] },
  ],
  effect: [],
  notes: [],
};

function saved(pauseDeletesBacklog: boolean | null): Diagnosis {
  const d: Diagnosis = {
    id: crypto.randomUUID(),
    connectionId: conn.id,
    connectionName: conn.name,
    createdAt: new Date().toISOString(),
    durationMs: 1,
    source: 'api',
    apiUrl: conn.apiUrl,
    prefectVersion: pauseDeletesBacklog ? '3.2.15' : '3.9.1',
    inspectionId: null,
    processes: { count: 1, basis: 'assumed', evidence: 'x' },
    findings: [late],
    checks: [],
    metrics: [],
    whatIf: null,
    facts: [],
    pauseDeletesBacklog,
    timings: {},
    notes: [],
    readOnly: false,
  };
  diagnoseOf(ctx).repo.saveDiagnosis(d);
  return d;
}

describe('the session plan where a pause deletes the backlog', () => {
  it('refuses keep-newest, naming the version and the way out, and saves no session', () => {
    const d = saved(true);
    const svc = diagnoseOf(ctx);
    expect(() => svc.plan({ conn, diagnosisId: d.id, findings: [late.id], keepNewest: 2 })).toThrow(
      expect.objectContaining({ code: 'VALIDATION', message: expect.stringMatching(/Keeping the newest 2 past-due runs is not possible on Prefect 3\.2\.15/) }),
    );
    expect(svc.repo.sessions(conn.id, 10)).toEqual([]);
  });

  it('without keep-newest, says the pause already removes the Late backlog', () => {
    const d = saved(true);
    const plan = diagnoseOf(ctx).plan({ conn, diagnosisId: d.id, findings: [late.id] });
    expect(plan.steps.map((s) => s.kind)).toEqual(['pause', 'purge', 'recreate', 'resume']);
    expect(plan.notes.join(' ')).toMatch(/Prefect 3\.2\.15 deletes every never-started scheduled run of a deployment when it is paused/);
  });

  it('on a newer server keeps the newest runs as asked, with no such note', () => {
    const d = saved(false);
    const plan = diagnoseOf(ctx).plan({ conn, diagnosisId: d.id, findings: [late.id], keepNewest: 2 });
    expect(plan.keepNewest).toBe(2);
    expect(plan.notes.join(' ')).not.toMatch(/when it is paused/);
  });
});
