#!/usr/bin/env node
/**
 * Refreshes test/fixtures/schedule-dates.json: the schedule cases of scripts/schedule-cases.json run
 * through the real Prefect server code (scripts/prefect-schedule-dates.py): stored form, next
 * occurrences across DST changes, and runs kept per scheduler pass. test/unit/schedule-math.test.ts
 * holds Housekeeper's schedule math to it.
 *
 *   node scripts/gen-schedule-fixture.mjs [path/to/venv/bin/python]
 *
 * Default Python: the harness's venv (.cache/prefect-venv-<version>/bin/python).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const venvs = fs.readdirSync(path.join(repoRoot, '.cache')).filter((d) => d.startsWith('prefect-venv-'));
const python = process.argv[2] ?? path.join(repoRoot, '.cache', venvs.sort().pop() ?? 'missing', 'bin', 'python');
const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-probe-'));
const spec = fs.readFileSync(path.join(repoRoot, 'scripts', 'schedule-cases.json'), 'utf8');
const out = execFileSync(python, [path.join(repoRoot, 'scripts', 'prefect-schedule-dates.py')], {
  input: spec,
  cwd,
  // A clean environment: no developer PREFECT_* settings leak into the ground truth.
  env: { PATH: process.env.PATH, HOME: cwd, PREFECT_HOME: cwd },
  maxBuffer: 256 * 1024 * 1024,
});
const version = execFileSync(python, ['-c', 'import prefect; print(prefect.__version__)'], { cwd, env: { PATH: process.env.PATH, HOME: cwd, PREFECT_HOME: cwd } }).toString().trim();
const cases = JSON.parse(out.toString());
const { settings, starts } = JSON.parse(spec);
const target = path.join(repoRoot, 'test', 'fixtures', 'schedule-dates.json');
fs.writeFileSync(target, JSON.stringify({ prefectVersion: version, settings, starts, cases }) + '\n');
fs.rmSync(cwd, { recursive: true, force: true });
console.log(`wrote ${cases.length} schedule cases (Prefect ${version}) to ${path.relative(repoRoot, target)}`);
