#!/usr/bin/env node
/**
 * Refreshes test/fixtures/prefect-validation-<line>.json: the cases of scripts/validation-cases.mjs
 * run through the real Prefect Settings model of each line (scripts/prefect-validate-cases.py), the
 * ground truth test/unit/profiles-validate.test.ts holds Housekeeper's validator to, line by line.
 *
 *   node scripts/gen-validation-fixture.mjs            # every line of scripts/gen-settings-catalog.mjs
 *   node scripts/gen-validation-fixture.mjs 3.4 3.9    # some lines
 *
 * Each line's Prefect is the harness's cached venv of its newest patch (test/harness/venv.ts installs
 * it on first use, with dependencies as of its release date).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { VALIDATION_CASES } from './validation-cases.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The same line -> release table the catalog is generated from (read as text: importing the
// generator would run it).
const gen = fs.readFileSync(path.join(repoRoot, 'scripts', 'gen-settings-catalog.mjs'), 'utf8');
const LINES = Object.fromEntries([...gen.matchAll(/^\s+'(3\.\d+)': '(3\.\d+\.\d+)',$/gm)].map((m) => [m[1], m[2]]));
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(LINES);

for (const line of wanted) {
  const version = LINES[line];
  if (!version) throw new Error(`No Prefect line ${line}; known: ${Object.keys(LINES).join(', ')}`);
  const bin = execFileSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test', 'harness', 'venv.ts'), version], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  const python = path.join(path.dirname(bin.toString().trim()), 'python');
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-probe-'));
  const out = execFileSync(python, [path.join(repoRoot, 'scripts', 'prefect-validate-cases.py')], {
    input: JSON.stringify(VALIDATION_CASES),
    cwd,
    env: { PATH: process.env.PATH, HOME: cwd, HK_PROBE_HOME: cwd },
    maxBuffer: 64 * 1024 * 1024,
  });
  fs.rmSync(cwd, { recursive: true, force: true });
  const results = JSON.parse(out.toString());
  const target = path.join(repoRoot, 'test', 'fixtures', `prefect-validation-${line}.json`);
  const cases = results.map(({ ok, error: _error, ...c }) => JSON.stringify({ ...c, ok }));
  fs.writeFileSync(target, `{\n "prefectVersion": ${JSON.stringify(version)},\n "line": ${JSON.stringify(line)},\n "cases": [\n  ${cases.join(',\n  ')}\n ]\n}\n`);
  console.log(`wrote ${results.length} cases (Prefect ${version}) to ${path.relative(repoRoot, target)}`);
}
