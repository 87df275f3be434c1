#!/usr/bin/env node
/**
 * Refreshes test/fixtures/prefect-validation.json: setting values run through the real Prefect
 * Settings model (scripts/prefect-validate-cases.py), the ground truth the unit test
 * test/unit/profiles-validate.test.ts holds Housekeeper's validator to.
 *
 *   node scripts/gen-validation-fixture.mjs [path/to/venv/bin/python]
 *
 * Default Python: the harness's venv (.cache/prefect-venv-<version>/bin/python).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { VALIDATION_CASES } from './validation-cases.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const venvs = fs.readdirSync(path.join(repoRoot, '.cache')).filter((d) => d.startsWith('prefect-venv-'));
const python = process.argv[2] ?? path.join(repoRoot, '.cache', venvs.sort().pop() ?? 'missing', 'bin', 'python');
const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-probe-'));
const out = execFileSync(python, [path.join(repoRoot, 'scripts', 'prefect-validate-cases.py')], {
  input: JSON.stringify(VALIDATION_CASES),
  cwd,
  env: { PATH: process.env.PATH, HOME: cwd, HK_PROBE_HOME: cwd },
  maxBuffer: 64 * 1024 * 1024,
});
const version = execFileSync(python, ['-c', 'import prefect; print(prefect.__version__)'], { cwd }).toString().trim();
const results = JSON.parse(out.toString());
const target = path.join(repoRoot, 'test', 'fixtures', 'prefect-validation.json');
fs.writeFileSync(target, JSON.stringify({ prefectVersion: version, cases: results.map(({ env, value, ok }) => ({ env, value, ok })) }, null, 1) + '\n');
fs.rmSync(cwd, { recursive: true, force: true });
console.log(`wrote ${results.length} cases (Prefect ${version}) to ${path.relative(repoRoot, target)}`);
