/**
 * `housekeeper retention` options on the harness's real Prefect (Postgres), through the built CLI:
 * --state narrows the finished states, --keep-newest N keeps the newest N matching runs of each
 * deployment, --export writes one JSON line per deleted run, --vacuum runs VACUUM (ANALYZE) after.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { expectedDeleted, midOlderThan, runsOf, seedRetention, type RetentionScenario, type RunRow } from './support/retention-fixture';

const h = inject('harness');
const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'bin', 'housekeeper.cjs');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-retention-opt-'));
const env = { ...process.env, HOUSEKEEPER_HOME: home, CI: process.env.CI ?? '' };
const dbUrl = `postgresql://${h.pg.owner.user}:${encodeURIComponent(h.pg.owner.password)}@${h.pg.host}:${h.pg.port}/${h.pg.database}?sslmode=disable`;

let s: RetentionScenario;
let before: Map<string, RunRow>;

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  s = await seedRetention(h, 240);
  before = await runsOf(h, s);
}, 240_000);
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('housekeeper retention options (CLI, Postgres)', () => {
  it('--state FAILED --keep-newest 2 --export --vacuum', async () => {
    const exportFile = path.join(home, 'out', 'deleted.jsonl');
    const args = ['retention', '--api', h.prefectPg.apiUrl, '--db', dbUrl, ...s.deployments.flatMap((d) => ['--deployment', d.fullName]), '--older-than', midOlderThan(new Map([...before].filter(([, r]) => r.state_type === 'FAILED'))), '--state', 'failed', '--keep-newest', '2', '--no-events', '--batch-pause-ms', '20'];
    const dry = run([...args, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const plan = (JSON.parse(dry.stdout) as { value: { plan: { cutoff: string; confirmCount: number } } }).value.plan;
    // Independently: the old FAILED top-level runs, minus the newest 2 of each deployment.
    const failedOnly = new Map([...before].filter(([, r]) => r.state_type === 'FAILED'));
    const candidates = [...expectedDeleted(failedOnly, plan.cutoff, s.deployments.map((d) => d.id))].map((id) => before.get(id)!);
    const kept = new Set<string>();
    for (const d of s.deployments) {
      candidates
        .filter((r) => r.deployment_id === d.id)
        .sort((a, b) => b.end_time!.getTime() - a.end_time!.getTime() || (b.id < a.id ? -1 : 1))
        .slice(0, 2)
        .forEach((r) => kept.add(r.id));
    }
    const want = new Set(candidates.map((r) => r.id).filter((id) => !kept.has(id)));
    expect(kept.size).toBeGreaterThan(0);
    expect(want.size).toBeGreaterThan(0);
    expect(plan.confirmCount).toBe(want.size);

    const r = run([...args, '--yes', '--export', exportFile, '--vacuum', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const v = (JSON.parse(r.stdout) as { value: { outcome: { totals: { runs: number }; exportedTo: string | null }; vacuum: unknown } }).value;
    expect(v.outcome.totals.runs).toBe(want.size);
    expect(v.vacuum).not.toBeNull();
    expect(v.outcome.exportedTo).toBe(exportFile);
    const after = await runsOf(h, s);
    expect(new Set([...before.keys()].filter((id) => !after.has(id)))).toEqual(want);
    for (const id of kept) expect(after.has(id)).toBe(true);
    // One line per deleted run: the flow_run row as Prefect stored it, with its states.
    const lines = fs.readFileSync(exportFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { flow_run: { id: string; state_type: string }; states: unknown[] });
    expect(lines.length).toBe(want.size);
    expect(new Set(lines.map((l) => l.flow_run.id))).toEqual(want);
    for (const l of lines) {
      expect(l.flow_run.state_type).toBe('FAILED');
      expect(l.states.length).toBeGreaterThan(0);
    }
  });
});
