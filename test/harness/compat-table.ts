/**
 * The compatibility table, written from a matrix run's results (compat-matrix.ts), never by hand:
 *
 * - docs/compat-results.json: per line, per feature, the tests that passed, failed and were skipped,
 *   and the degradations Housekeeper's capability probe reported on that line;
 * - docs/compat.md: the table with every reason and every failing test;
 * - README.md: the compact table between the `compat-table` markers.
 *
 * `node --import tsx test/harness/compat-table.ts` rewrites all three from test-results/compat.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareRelease } from './prefect-releases';
import { REPO_ROOT } from './venv';

/** A feature row: which integration tests prove it, and which degradations touch it. */
interface Feature {
  id: string;
  label: string;
  match: (file: string, describe: string) => boolean;
  degradations: string[];
}

const FEATURES: Feature[] = [
  { id: 'connections', label: 'Connections: test', match: (f) => /^(connection-|targets-)/.test(f), degradations: [] },
  { id: 'inspect-pg', label: 'Inspect: PostgreSQL', match: (f) => /^inspect-.*pg/.test(f), degradations: [] },
  { id: 'inspect-sqlite', label: 'Inspect: SQLite', match: (f, d) => f.startsWith('inspect-') && /sqlite/i.test(d), degradations: [] },
  { id: 'inspect-api', label: 'Inspect: API only', match: (f, d) => f.startsWith('inspect-') && /API only/i.test(d), degradations: ['inspect.schedule-gone'] },
  { id: 'purge-pg', label: 'Purge: SQL executor, PostgreSQL', match: (f, d) => f.startsWith('purge-') && !/sqlite|through the Prefect API/i.test(d), degradations: [] },
  { id: 'purge-sqlite', label: 'Purge: SQL executor, SQLite', match: (f, d) => f.startsWith('purge-') && /sqlite/i.test(d), degradations: [] },
  { id: 'purge-api', label: 'Purge: API executor', match: (f, d) => f.startsWith('purge-') && /through the Prefect API/i.test(d), degradations: ['purge.bulk-delete'] },
  { id: 'schedules-list', label: 'Schedules: list', match: (f) => f === 'schedules-list.test.ts', degradations: ['schedules.run-attribution', 'schedules.created-by-filter', 'schedules.slug-parameters'] },
  { id: 'schedules-simulate', label: 'Schedules: simulate (against the real scheduler)', match: (f, d) => f === 'schedules-scheduler.test.ts' || (f === 'compat-features.test.ts' && /simulate/.test(d)), degradations: ['schedules.run-attribution', 'schedules.scheduler-selection', 'schedules.scheduler-loop'] },
  { id: 'schedules-changes', label: 'Schedules: recreate, reset, restore', match: (f, d) => f === 'schedules-recreate.test.ts' || (f === 'compat-features.test.ts' && /reset/.test(d)), degradations: ['schedules.created-by-filter', 'schedules.slug-parameters', 'schedules.update-deletes-backlog'] },
  { id: 'schedules-pause', label: 'Schedules: pause, resume', match: (f) => f === 'schedules-pause.test.ts', degradations: ['schedules.update-deletes-backlog'] },
  { id: 'profiles', label: 'Profiles: validation, export, drift', match: (f, d) => f.startsWith('profiles-') || (f === 'compat-features.test.ts' && /settings/.test(d)), degradations: [] },
  { id: 'capabilities', label: 'Capability probe (what each server accepts)', match: (f) => f === 'capabilities.test.ts', degradations: [] },
  { id: 'diagnose', label: 'Diagnose: findings and fix sessions', match: (f) => f.startsWith('diagnose-'), degradations: ['schedules.update-deletes-backlog'] },
  { id: 'retention', label: 'Retention: delete old finished runs', match: (f) => f.startsWith('retention-'), degradations: ['purge.bulk-delete'] },
  { id: 'cli', label: 'CLI basics: errors, terminal safety, secrets, health', match: (f) => /^(cli-|terminal-|secret-|health\.|api-executor-)/.test(f), degradations: [] },
];

interface JsonAssertion {
  ancestorTitles: string[];
  title: string;
  status: 'passed' | 'failed' | 'skipped' | 'pending' | 'todo' | 'disabled';
}
interface JsonReport {
  testResults: Array<{ name: string; status: string; message?: string; assertionResults: JsonAssertion[] }>;
}

/**
 * A line's full run (`<version>.json`) with its later part runs (`<version>.part-<time>.json`, from
 * `--lines X --files ...`) laid over it: each test file keeps its newest result. Returns the test
 * files whose result came from a part run, so the per-line notes can say so.
 */
export async function mergedReport(dir: string, version: string, all: string[]): Promise<{ report: JsonReport; rerun: string[] }> {
  const read = async (f: string) => JSON.parse(await readFile(path.join(dir, f), 'utf8')) as JsonReport;
  const report = all.includes(`${version}.json`) ? await read(`${version}.json`) : { testResults: [] };
  const parts = all
    .filter((f) => f.startsWith(`${version}.part-`) && f.endsWith('.json'))
    .sort((a, b) => Number(/part-(\d+)/.exec(a)?.[1]) - Number(/part-(\d+)/.exec(b)?.[1]));
  const rerun = new Set<string>();
  for (const part of parts) {
    for (const file of (await read(part)).testResults) {
      const name = path.basename(file.name);
      report.testResults = report.testResults.filter((t) => path.basename(t.name) !== name);
      report.testResults.push(file);
      rerun.add(name);
    }
  }
  return { report, rerun: [...rerun].sort() };
}
interface CapabilitiesFile {
  version: string;
  source: string;
  degraded: Array<{ feature: string; reason: string }>;
}

export interface FeatureResult {
  status: 'works' | 'degraded' | 'fails' | 'not run';
  passed: number;
  failed: number;
  skipped: number;
  failures: string[];
  skippedTests: string[];
  degraded: string[];
}

export interface LineResult {
  line: string;
  version: string;
  seconds: number | null;
  passed: number;
  failed: number;
  skipped: number;
  /** Test files that failed as a whole (a hook or the harness), by name. */
  fileErrors: string[];
  /** The test files this line ran (the whole suite, or the CI subset). */
  files: string[];
  /** Where the results came from when not this checkout's own matrix run (`<version>.source` beside them). */
  source: string | null;
  /** Integration test files this line did not run (the suite minus `files`). */
  notRun: string[];
  /** Test files whose result comes from a later part run of this line (`--files`), not the full run. */
  rerun: string[];
  degraded: Array<{ feature: string; reason: string }>;
  features: Record<string, FeatureResult>;
}

export function lineResult(version: string, seconds: number | null, report: JsonReport, caps: CapabilitiesFile | null, rerun: string[] = []): LineResult {
  const features: Record<string, FeatureResult> = {};
  for (const f of FEATURES) features[f.id] = { status: 'not run', passed: 0, failed: 0, skipped: 0, failures: [], skippedTests: [], degraded: [] };
  const out: LineResult = { line: version.split('.').slice(0, 2).join('.'), version, seconds, passed: 0, failed: 0, skipped: 0, fileErrors: [], files: report.testResults.map((t) => path.basename(t.name)).sort(), notRun: [], source: null, rerun, degraded: caps?.degraded ?? [], features };
  for (const file of report.testResults) {
    const name = path.basename(file.name);
    if (file.status === 'failed' && file.assertionResults.every((a) => a.status !== 'failed')) out.fileErrors.push(`${name}: ${(file.message ?? 'failed').split('\n')[0]}`);
    for (const a of file.assertionResults) {
      const describe = a.ancestorTitles.join(' > ');
      const title = `${name} > ${describe ? `${describe} > ` : ''}${a.title}`;
      const feature = FEATURES.find((f) => f.match(name, describe));
      const r = feature ? features[feature.id]! : null;
      if (a.status === 'passed') {
        out.passed++;
        if (r) r.passed++;
      } else if (a.status === 'failed') {
        out.failed++;
        if (r) {
          r.failed++;
          r.failures.push(title);
        }
      } else {
        out.skipped++;
        if (r) {
          r.skipped++;
          r.skippedTests.push(title);
        }
      }
    }
    // A file that failed before its tests ran (beforeAll, the harness) fails the features it serves.
    if (file.status === 'failed' && file.assertionResults.length === 0) {
      for (const f of FEATURES.filter((x) => x.match(name, ''))) {
        features[f.id]!.failed++;
        features[f.id]!.failures.push(`${name}: ${(file.message ?? 'failed before its tests').split('\n')[0]}`);
      }
    }
  }
  for (const f of FEATURES) {
    const r = features[f.id]!;
    const ran = r.passed + r.failed > 0;
    // A detour only counts for a feature whose tests ran on the line.
    r.degraded = ran ? out.degraded.filter((d) => f.degradations.includes(d.feature)).map((d) => d.feature) : [];
    r.status = r.failed > 0 ? 'fails' : !ran ? 'not run' : r.degraded.length ? 'degraded' : 'works';
  }
  return out;
}

const MARK: Record<FeatureResult['status'], string> = { works: '✓ works', degraded: '◐ degraded', fails: '✗ fails', 'not run': '— not run' };

function table(lines: LineResult[], withFootnotes: boolean): string {
  const reasons = new Map<string, number>();
  const head = `| feature | ${lines.map((l) => `${l.line} (${l.version})`).join(' | ')} |`;
  const sep = `| --- | ${lines.map(() => ':---:').join(' | ')} |`;
  const rows = FEATURES.map((f) => {
    const cells = lines.map((l) => {
      const r = l.features[f.id]!;
      let cell = MARK[r.status];
      if (withFootnotes && r.degraded.length && r.status !== 'not run') {
        const n = r.degraded.map((d) => {
          if (!reasons.has(d)) reasons.set(d, reasons.size + 1);
          return reasons.get(d)!;
        });
        cell += ` ${n.map((x) => `[${x}]`).join('')}`;
      }
      return cell;
    });
    return `| ${f.label} | ${cells.join(' | ')} |`;
  });
  let text = [head, sep, ...rows].join('\n');
  if (withFootnotes && reasons.size) {
    // One reason per degradation, in the words of the oldest line that has it.
    const notes = [...reasons.entries()].map(([feature, n]) => {
      const where = lines.filter((l) => l.degraded.some((d) => d.feature === feature));
      const reason = where[0]!.degraded.find((d) => d.feature === feature)!.reason;
      return `${n}. \`${feature}\` (${where.map((l) => l.line).join(', ')}): ${reason}`;
    });
    text += `\n\n${notes.join('\n')}`;
  }
  return text;
}

function markdown(lines: LineResult[], generatedAt: string): string {
  const out: string[] = [
    '# Compatibility with Prefect 3.x lines',
    '',
    `Generated by test/harness/compat-table.ts on ${generatedAt.slice(0, 10)} from the matrix results of the lines below`,
    `(${lines.map((l) => l.version).join(', ')}): integration tests on the newest patch of each line, against PostgreSQL and`,
    'SQLite servers of that release started by the test harness. Each line lists the test files it ran (the',
    'whole suite with `npm run test:compat`, the CI subset with `--ci` or `--subset --lines ...`, single files',
    'with `--files`); a feature whose tests did not run on a line is "not run" there. A line missing here was',
    'not run for this generation. Do not edit by hand; run the matrix again.',
    '',
    '**works**: every test of the feature passed on that line and Housekeeper takes the same path as on the',
    'newest release. **degraded**: every test passed, and the feature takes another path there, for the',
    'reason in the note (Housekeeper says the same in its output). **fails**: at least one test failed (listed',
    'below). Tests that cannot apply to a line (basic auth does not exist in 3.0) are skipped and listed.',
    '',
    table(lines, true),
    '',
    '## Per line',
    '',
  ];
  for (const l of lines) {
    out.push(`### Prefect ${l.version}`, '');
    out.push(`${l.passed} passed, ${l.failed} failed, ${l.skipped} skipped${l.seconds !== null ? ` in ${Math.round(l.seconds)} s` : ''}.`, '');
    if (l.source) out.push(`Results from ${l.source}.`, '');
    out.push(`Test files (${l.files.length}): ${l.files.map((f) => `\`${f}\``).join(', ')}.`, '');
    out.push(l.notRun.length ? `Not run on this line (${l.notRun.length} of the suite's ${l.files.length + l.notRun.length} files): ${l.notRun.map((f) => `\`${f}\``).join(', ')}.` : 'The whole integration suite ran on this line.', '');
    if (l.rerun.length) out.push(`Run on their own after the line's run, or again (their newest result is counted): ${l.rerun.map((f) => `\`${f}\``).join(', ')}.`, '');
    if (l.degraded.length) out.push('Detours reported by Housekeeper on this line:', '', ...l.degraded.map((d) => `- \`${d.feature}\`: ${d.reason}`), '');
    const failures = Object.values(l.features).flatMap((f) => f.failures);
    if (failures.length || l.fileErrors.length) out.push('Failing:', '', ...[...l.fileErrors, ...failures].map((t) => `- ${t}`), '');
    const skipped = Object.values(l.features).flatMap((f) => f.skippedTests);
    if (skipped.length) out.push('Skipped (does not apply to this line):', '', ...skipped.map((t) => `- ${t}`), '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

export async function writeCompatTable(dir: string, summary: Array<{ version: string; seconds: number }> = []): Promise<void> {
  const all = await readdir(dir);
  const files = all.filter((f) => /^\d+\.\d+\.\d+(\.part-\d+)?\.json$/.test(f));
  const versions = [...new Set(files.map((f) => f.replace(/(\.part-\d+)?\.json$/, '')))].sort(compareRelease);
  // The newest result per minor line.
  const byLine = new Map<string, string>();
  for (const v of versions) byLine.set(v.split('.').slice(0, 2).join('.'), v);
  const suite = (await readdir(path.join(REPO_ROOT, 'test', 'integration'))).filter((f) => f.endsWith('.test.ts')).sort();
  const lines: LineResult[] = [];
  for (const v of byLine.values()) {
    const merged = await mergedReport(dir, v, all);
    // A result of a file no longer in the suite (renamed or removed since) says nothing about it.
    const report = { ...merged.report, testResults: merged.report.testResults.filter((t) => suite.includes(path.basename(t.name))) };
    const rerun = merged.rerun.filter((f) => suite.includes(f));
    const capsFile = path.join(dir, `capabilities-${v}.json`);
    const caps = existsSync(capsFile) ? (JSON.parse(await readFile(capsFile, 'utf8')) as CapabilitiesFile) : null;
    const r = lineResult(v, summary.find((s) => s.version === v)?.seconds ?? null, report, caps, rerun);
    r.notRun = suite.filter((f) => !r.files.includes(f));
    const sourceFile = path.join(dir, `${v}.source`);
    if (existsSync(sourceFile)) r.source = (await readFile(sourceFile, 'utf8')).trim();
    lines.push(r);
  }
  if (lines.length === 0) throw new Error(`no matrix results in ${dir}: run npm run test:compat first`);
  const generatedAt = new Date().toISOString();
  await writeFile(path.join(REPO_ROOT, 'docs', 'compat-results.json'), `${JSON.stringify({ generatedAt, lines }, null, 1)}\n`);
  await writeFile(path.join(REPO_ROOT, 'docs', 'compat.md'), markdown(lines, generatedAt));
  const readmePath = path.join(REPO_ROOT, 'README.md');
  const readme = await readFile(readmePath, 'utf8');
  const start = '<!-- compat-table:start (generated by npm run test:compat; do not edit) -->';
  const end = '<!-- compat-table:end -->';
  const i = readme.indexOf(start);
  const j = readme.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README.md has no ${start} ... ${end} section`);
  const block = `${start}\n${table(lines, false)}\n\n✓ works · ◐ degraded (works another way; the reason is in [docs/compat.md](docs/compat.md) and in Housekeeper's output) · ✗ fails. Generated ${generatedAt.slice(0, 10)} from the matrix results of ${lines.map((l) => l.version).join(', ')} (the test files each ran are in docs/compat.md; a line not listed was not run).\n${end}`;
  await writeFile(readmePath, readme.slice(0, i) + block + readme.slice(j + end.length));
  process.stderr.write(`[compat] wrote docs/compat.md, docs/compat-results.json and the README table (${lines.map((l) => l.version).join(', ')})\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeCompatTable(path.join(REPO_ROOT, 'test-results', 'compat')).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
