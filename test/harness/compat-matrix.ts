/**
 * The compatibility matrix: the integration suite on Prefect 3.x minor lines, one line after the
 * other (each run starts its own harness: PostgreSQL plus Prefect on Postgres and on SQLite).
 *
 *   node --import tsx test/harness/compat-matrix.ts                 every line 3.0 ... newest (npm run test:compat)
 *   node --import tsx test/harness/compat-matrix.ts --ci            the CI lines (oldest and 3.4), the CI subset
 *   node --import tsx test/harness/compat-matrix.ts --lines 3.2,3.6 [--files a.test.ts,b.test.ts]
 *   node --import tsx test/harness/compat-matrix.ts --subset --lines 3.1,3.5   the CI subset on any lines, one after the other
 *   node --import tsx test/harness/compat-matrix.ts --ci --install-only   just build the venvs (.ci/run)
 *
 * Each line's results go to test-results/compat/<version>.json (vitest's JSON reporter; a part run with
 * --files goes to <version>.part-<time>.json and the table takes each file's newest result) plus the
 * capabilities Housekeeper probed there (capabilities-<version>.json, written by
 * test/integration/capabilities.test.ts); the full matrix then writes the compatibility table
 * (compat-table.ts: docs/compat.md, docs/compat-results.json and the README section). A line whose
 * venv cannot be built, or whose harness cannot start, fails the run: nothing is skipped silently.
 */
import { spawn } from 'node:child_process';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCompatTable } from './compat-table';
import { prefectLines } from './prefect-releases';
import { CI_COMPAT_LINES, OLDEST_LINE } from './prefect-version';
import { ensurePrefectVenv, REPO_ROOT } from './venv';

/**
 * What CI runs on the extra lines: every feature's integration tests, minus the slow benchmarks-in-
 * disguise (inspect-big-pg: the EXPLAIN audit on 120k runs) and the fault drills whose code paths do
 * not depend on the Prefect line (purge-faults, purge-cli-resume), to stay inside CI's time budget.
 * profiles-prefect-cli (export read back by each line's own CLI) is left to the full matrix: it costs
 * 26-58 s per line on this 2-core box at moderate load and 181-205 s at load 15 (3.1/3.2 in the full
 * matrix), and whether `npm test` stays under ~22 minutes with it has not been measured. (It used
 * `prefect profile inspect -o json`, which 3.0-3.3 refuse; now the text form every line prints,
 * green on 3.1.15 and 3.6.29.)
 */
export const CI_FILES = [
  'harness.test.ts',
  'capabilities.test.ts',
  'compat-features.test.ts',
  'connection-test.test.ts',
  'targets-prefect-api.test.ts',
  'inspect-pg.test.ts',
  'inspect-sqlite-api.test.ts',
  'purge-pg.test.ts',
  'purge-sqlite-api.test.ts',
  'schedules-list.test.ts',
  'schedules-pause.test.ts',
  'schedules-recreate.test.ts',
  'schedules-scheduler.test.ts',
];

/**
 * The real-scheduler replay (about two minutes per line) runs on the oldest CI line only: its models
 * (per-deployment selection, runs keyed by deployment) are the ones that differ from the pinned line,
 * which `npm run test:integration` covers; the full matrix runs it on every line.
 */
export const CI_SCHEDULER_LINES = [OLDEST_LINE];

export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results', 'compat');

function log(msg: string): void {
  process.stderr.write(`[compat] ${msg}\n`);
}

interface Args {
  lines: string[] | null;
  files: string[] | null;
  ci: boolean;
  /** The CI file subset (CI_FILES) on the lines given, one line after the other. */
  subset: boolean;
  installOnly: boolean;
  table: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { lines: null, files: null, ci: false, subset: false, installOnly: false, table: true };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const list = () => (argv[++i] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (k === '--lines') a.lines = list();
    else if (k === '--files') a.files = list();
    else if (k === '--ci') a.ci = true;
    else if (k === '--subset') a.subset = true;
    else if (k === '--install-only') a.installOnly = true;
    else if (k === '--no-table') a.table = false;
    else throw new Error(`unknown argument ${k} (see the header of test/harness/compat-matrix.ts)`);
  }
  return a;
}

function runVitest(version: string, files: string[] | null, outFile: string, buffered = false): Promise<{ code: number; seconds: number; output: string }> {
  const t0 = Date.now();
  const args = ['vitest', 'run', '--project', 'integration', ...(files ?? []).map((f) => `test/integration/${f}`), '--reporter=default', '--reporter=json', `--outputFile.json=${outFile}`];
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, PREFECT_VERSION: version, HK_COMPAT_OUT: RESULTS_DIR };
    delete env.HK_HARNESS_JSON; // each line starts its own harness
    const child = spawn('npx', args, { cwd: REPO_ROOT, env, stdio: ['ignore', buffered ? 'pipe' : 'inherit', buffered ? 'pipe' : 'inherit'] });
    const chunks: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => chunks.push(c));
    child.stderr?.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), seconds: (Date.now() - t0) / 1000, output: Buffer.concat(chunks).toString() }));
  });
}

/** A full run of a line supersedes every earlier part of it. */
async function removeParts(version: string): Promise<void> {
  const parts = (await readdir(RESULTS_DIR).catch(() => [] as string[])).filter((f) => f.startsWith(`${version}.part-`));
  for (const f of parts) await rm(path.join(RESULTS_DIR, f), { force: true });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const all = await prefectLines();
  const wanted = args.lines ?? (args.ci ? CI_COMPAT_LINES : all.map((l) => l.line));
  const lines = wanted.map((w) => {
    const line = w === 'oldest' ? OLDEST_LINE : w;
    const hit = all.find((l) => l.line === line || l.version === line);
    if (!hit) throw new Error(`no Prefect release for ${w} on the package index`);
    return hit;
  });
  const filesFor = (line: string): string[] | null =>
    args.files ?? (args.ci || args.subset ? CI_FILES.filter((f) => f !== 'schedules-scheduler.test.ts' || CI_SCHEDULER_LINES.includes(line)) : null);
  const files = args.files ?? (args.ci || args.subset ? CI_FILES : null);
  log(`lines: ${lines.map((l) => `${l.line} (${l.version})`).join(', ')}${files ? `; files: ${files.join(', ')}` : '; the whole integration suite'}`);

  // Venvs first, sequentially (pip is CPU- and network-bound), outside any test timeout.
  for (const l of lines) await ensurePrefectVenv(l.version);
  if (args.installOnly) return;

  await mkdir(RESULTS_DIR, { recursive: true });
  const summary: Array<{ line: string; version: string; code: number; seconds: number }> = [];
  // A part of a line (--files) goes to its own results file beside the line's full run, so it cannot
  // replace the whole suite's results; the table takes each test file's newest result (compat-table.ts).
  const one = async (l: (typeof lines)[number], buffered: boolean) => {
    const out = path.join(RESULTS_DIR, args.files ? `${l.version}.part-${Date.now()}.json` : `${l.version}.json`);
    if (!args.files) await removeParts(l.version);
    await rm(out, { force: true });
    if (!buffered) log(`--- Prefect ${l.version} (${l.line}) ---`);
    const r = await runVitest(l.version, filesFor(l.line), out, buffered);
    if (buffered) {
      log(`--- Prefect ${l.version} (${l.line}) ---`);
      process.stdout.write(r.output);
    }
    summary.push({ line: l.line, version: l.version, code: r.code, seconds: r.seconds });
    log(`Prefect ${l.version}: ${r.code === 0 ? 'passed' : 'FAILED'} in ${r.seconds.toFixed(0)} s`);
  };
  // The CI lines run side by side (each has its own harness; their tests mostly wait on scheduler
  // loops), which keeps CI under 30 minutes; the full matrix runs one line after another.
  if (args.ci) await Promise.all(lines.map((l) => one(l, true)));
  else for (const l of lines) await one(l, false);
  for (const s of summary) log(`${s.line.padEnd(5)} ${s.version.padEnd(8)} ${s.code === 0 ? 'passed' : 'FAILED'} ${s.seconds.toFixed(0).padStart(5)} s`);
  // The table lists, per line, the test files that line ran (compat-table.ts), so a whole-suite run and
  // a subset run both rewrite it from every line's newest results; a part run (--files) waits for
  // `node --import tsx test/harness/compat-table.ts`. CI (--ci) leaves the docs alone.
  if (args.table && !args.files && !args.ci) await writeCompatTable(RESULTS_DIR, summary);
  if (summary.some((s) => s.code !== 0)) process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
