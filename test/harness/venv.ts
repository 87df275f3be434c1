/**
 * A cached Python venv with one exact `prefect` release, at `<repo>/.cache/prefect-venv-<version>`.
 *
 * Why a venv of our own (and not whatever `prefect` is on PATH): the tests assert behaviour of one
 * exact Prefect release (schema, settings names, API), so the harness installs that release itself.
 *
 * Reproducible for old releases too: a Prefect release's dependency ranges admit libraries published
 * long after it, and those break it (3.4.25 with today's fastapi fails at import with
 * `Body() got an unexpected keyword argument 'min_items'`). So every release is installed against the
 * package index as it was shortly after that release was uploaded (pip's `--uploaded-prior-to`, pip 26+;
 * the upload time comes from the index's JSON simple API, PEP 691/700). The cutoff is recorded in
 * the marker, so the same version always resolves the same way.
 *
 * The venv is reused across runs; a marker file written only after a successful install means a
 * half-installed venv (Ctrl-C during pip) is detected and rebuilt instead of being trusted.
 *
 * Also a CLI (`node --import tsx test/harness/venv.ts [VERSION|LINE ...]`) so .ci/run can install
 * Prefect up front, outside any test timeout.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveRelease } from './prefect-releases';
import { PREFECT_VERSION, resolvedPrefectVersion } from './prefect-version';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface PrefectVenv {
  dir: string;
  python: string;
  prefectBin: string;
  version: string;
}

const MARKER = '.housekeeper-installed';
/** Dependencies published this long after the release still count as "as of its release" (hotfixes). */
const CUTOFF_SLACK_MS = 2 * 24 * 3600 * 1000;

/**
 * Pins for lines whose "as of its release" index holds a dependency release that breaks them. Each is
 * inside the release's own declared range, and recorded in the venv's marker (a changed pin rebuilds
 * that venv only).
 *
 * - 3.8: its cutoff's newest SQLAlchemy (2.1.4, and 2.1.3 too) breaks the scheduler's bulk insert
 *   (models/deployments.py _insert_scheduled_flow_runs: "Can't evaluate bulk DML statement; please
 *   supply a bulk_dml decorated function", so POST /deployments/{id}/schedule answers 503 and the
 *   scheduler makes no runs); 2.0.54 works, and so does 3.9.1 with SQLAlchemy 2.1.6 (seen 2026-12-04).
 */
const PINS: Record<string, string[]> = {
  '3.8': ['sqlalchemy[asyncio]<2.1'],
};

export function pinsFor(version: string): string[] {
  return PINS[version.split('.').slice(0, 2).join('.')] ?? [];
}

function log(msg: string): void {
  process.stderr.write(`[harness:venv] ${msg}\n`);
}

/** The venv of one exact release (resolve a minor line first: resolvedPrefectVersion). */
export function venvDir(version: string): string {
  return path.join(REPO_ROOT, '.cache', `prefect-venv-${version}`);
}

/** True when the venv has our marker for this version and pip's record says that version is installed. */
async function isUsable(dir: string, version: string): Promise<boolean> {
  const python = path.join(dir, 'bin', 'python');
  const prefectBin = path.join(dir, 'bin', 'prefect');
  if (!existsSync(prefectBin) || !existsSync(python)) return false;
  try {
    const marker = (await readFile(path.join(dir, MARKER), 'utf8')).trim().split(/\s+/);
    if (marker[0] !== version || !marker[1]) return false;
    if ((marker[2] ?? '') !== pinsFor(version).join(',')) return false;
    // What `pip show prefect` reports, without paying ~1 s of Python startup on every harness start:
    // pip records the installed version as site-packages/prefect-<version>.dist-info.
    const lib = path.join(dir, 'lib');
    for (const py of await readdir(lib)) {
      const site = path.join(lib, py, 'site-packages');
      const infos = (await readdir(site).catch(() => [])).filter((f) => /^prefect-[^-]+\.dist-info$/.test(f));
      if (infos.length > 0) return infos.length === 1 && infos[0] === `prefect-${version}.dist-info`;
    }
    return false;
  } catch {
    return false;
  }
}

/** Runs a command, streaming its output to stderr (pip progress is worth seeing on a cold cache). */
function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], env: env ?? process.env });
    // pip writes progress to stdout; keep the test runner's stdout clean by sending it to stderr.
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code ?? signal}`)),
    );
  });
}

/**
 * When `prefect==version` was uploaded, from the index's JSON simple API (the wheel's `upload-time`).
 * Throws with a clear message when the index does not know the version or gives no upload times.
 */
export async function prefectUploadTime(version: string): Promise<Date> {
  return new Date((await resolveRelease(version)).uploadTime);
}

const inFlight = new Map<string, Promise<PrefectVenv>>();

/**
 * Ensures the venv exists and returns its paths. `spec` is an exact release or a minor line (default:
 * this run's PREFECT_VERSION). Concurrent callers in one process share one install per version.
 * Python comes from HK_PYTHON, else `python3` on PATH (Prefect 3.x needs >= 3.9; 3.9 needs >= 3.10).
 */
export async function ensurePrefectVenv(spec = PREFECT_VERSION): Promise<PrefectVenv> {
  const version = await resolvedPrefectVersion(spec);
  let p = inFlight.get(version);
  if (!p) {
    p = doEnsure(version).finally(() => inFlight.delete(version));
    inFlight.set(version, p);
  }
  return p;
}

async function doEnsure(version: string): Promise<PrefectVenv> {
  const dir = venvDir(version);
  const result: PrefectVenv = {
    dir,
    python: path.join(dir, 'bin', 'python'),
    prefectBin: path.join(dir, 'bin', 'prefect'),
    version,
  };
  if (await isUsable(dir, version)) return result;

  const started = Date.now();
  const cutoff = new Date((await prefectUploadTime(version)).getTime() + CUTOFF_SLACK_MS).toISOString();
  log(`creating ${dir} with prefect==${version}${pinsFor(version).length ? ` and ${pinsFor(version).join(' ')}` : ''}, dependencies as of ${cutoff} (first run: pip needs a minute or two)`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.dirname(dir), { recursive: true });
  const python = process.env.HK_PYTHON ?? 'python3';
  await run(python, ['-m', 'venv', dir]);
  const pipEnv = { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_PROGRESS_BAR: 'off' };
  const pip = (args: string[]) =>
    run(result.python, ['-m', 'pip', ...args], pipEnv).catch((err: unknown) => {
      throw new Error(
        `pip ${args.join(' ')} failed (${String(err)}). Needs network access to PyPI ` +
          `(or a warm pip cache) and Python >= 3.10 (set HK_PYTHON to pick the interpreter).`,
      );
    });
  // pip 26 brought --uploaded-prior-to; the venv's bundled pip may be older.
  await pip(['install', '--quiet', '--upgrade', 'pip>=26']);
  const pins = pinsFor(version);
  await pip(['install', '--quiet', '--uploaded-prior-to', cutoff, `prefect==${version}`, ...pins]);
  await writeFile(path.join(dir, MARKER), `${[version, cutoff, pins.join(',')].filter(Boolean).join(' ')}\n`);
  if (!(await isUsable(dir, version))) {
    throw new Error(`venv ${dir} was installed but 'pip show prefect' does not report ${version}`);
  }
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

// CLI entry: `node --import tsx test/harness/venv.ts [VERSION|LINE ...]` installs each (sequentially:
// pip is CPU- and network-bound) and prints each venv's prefect path.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const specs = process.argv.slice(2).length ? process.argv.slice(2) : [PREFECT_VERSION];
  (async () => {
    for (const spec of specs) process.stdout.write(`${(await ensurePrefectVenv(spec)).prefectBin}\n`);
  })().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
