/**
 * A deployment named with terminal escape sequences, on the harness's real Prefect server, printed by
 * the real CLI (issue #12, item 5): a title-setting OSC, a colour, a carriage return and a bidi
 * override reach the terminal as visible escapes, never as the bytes that act on it.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { prefectApi } from '../harness/prefect-api';
import { createFlow } from '../harness/seed-api';

const h = inject('harness');
const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'bin', 'housekeeper.cjs');
const NASTY = 'esc\u001b]0;pwned\u0007\u001b[31mRED\u001b[0m\rover\u202egnp.exe';
// Raw control bytes that would act on a terminal: ESC, BEL, CR, C1 CSI, bidi override.
const RAW = /[\u001b\u0007\r\u009b\u202e]/; // eslint-disable-line no-control-regex

describe('server text with terminal escapes, printed by the CLI', () => {
  let home: string;
  let depId: string;
  const api = prefectApi(h.prefectPg.apiUrl);
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { env: { ...process.env, HOUSEKEEPER_HOME: home }, encoding: 'utf8', timeout: 120_000 });

  beforeAll(async () => {
    if (!fs.existsSync(path.join(root, 'dist', 'main', 'cli.cjs'))) throw new Error('Housekeeper is not built: run `npm run build` first.');
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-esc-'));
    const flow = await createFlow(api, 'hk-escapes');
    const dep = await api.post<{ id: string }>('/deployments/', {
      flow_id: flow.id,
      name: NASTY,
      // As the harness seeds them (seed-api.ts): without a parameter schema, older lines (seen on 3.1.15, 3.2.15) refuse
      // create_flow_run on a deployment that enforces one (409, "does not have a valid parameter schema").
      parameter_openapi_schema: { type: 'object', properties: {} },
      schedules: [{ schedule: { interval: 3600, anchor_date: '2026-01-01T00:00:00Z', timezone: 'UTC' }, active: true }],
    });
    depId = dep.id;
    const past = new Date(Date.now() - 3 * 3600_000).toISOString();
    for (let i = 0; i < 3; i++) {
      await api.post(`/deployments/${depId}/create_flow_run`, { state: { type: 'SCHEDULED', name: 'Scheduled', state_details: { scheduled_time: past } } });
    }
  });
  afterAll(async () => {
    await api.del(`/deployments/${depId}`).catch(() => undefined);
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('purge --dry-run shows the name escaped, on stdout and stderr', () => {
    const r = run('purge', '--api', h.prefectPg.apiUrl, '--dry-run', '--include-manual', '--older-than', '1m', '--deployment', depId);
    expect(r.status, r.stderr).toBe(0);
    const all = r.stdout + r.stderr;
    expect(all).toContain('esc\\x1b]0;pwned\\x07');
    expect(all).toContain('\\u202egnp.exe');
    expect(all).not.toMatch(RAW);
  });

  it('schedules list shows it escaped in its table', () => {
    const r = run('schedules', 'list', '--api', h.prefectPg.apiUrl, '--deployment', depId);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('\\x1b[31mRED');
    expect(r.stdout + r.stderr).not.toMatch(RAW);
  });

  it('--json keeps the exact name, escaped as JSON, and prints no raw control bytes', () => {
    const r = run('purge', '--api', h.prefectPg.apiUrl, '--dry-run', '--include-manual', '--older-than', '1m', '--deployment', depId, '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(RAW);
    const doc = JSON.parse(r.stdout) as { value: { plan: { byDeployment: Array<{ name: string }> } } };
    expect(doc.value.plan.byDeployment.map((d) => d.name).join()).toContain(NASTY);
  });

  it('a connection named with an escape sequence is refused and nothing is stored', () => {
    const r = run('connections', 'add', '--name', `prod${NASTY}`, '--api', h.prefectPg.apiUrl);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--name .*control characters/);
    expect(r.stderr).not.toMatch(RAW);
    expect(fs.existsSync(path.join(home, 'housekeeper.db')) ? run('connections', 'list', '--json').stdout : '{"value":{"connections":[]}}').toMatch(/"connections": ?\[\]/);
  });
});
