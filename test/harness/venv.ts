/**
 * A cached Python venv with the pinned `prefect` package, at `<repo>/.cache/prefect-venv-<version>`.
 *
 * Why a venv of our own (and not whatever `prefect` is on PATH): the tests assert behaviour of one
 * exact Prefect release (schema, settings names, API), so the harness installs that release itself.
 * The venv is reused across runs; a marker file written only after a successful install means a
 * half-installed venv (Ctrl-C during pip) is detected and rebuilt instead of being trusted.
 *
 * Also a CLI (`node --import tsx test/harness/venv.ts`) so .ci/run can install Prefect up front,
 * outside any test timeout.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PREFECT_VERSION } from './prefect-version';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface PrefectVenv {
  dir: string;
  python: string;
  prefectBin: string;
  version: string;
}

const MARKER = '.housekeeper-installed';

function log(msg: string): void {
  process.stderr.write(`[harness:venv] ${msg}\n`);
}

export function venvDir(version = PREFECT_VERSION): string {
  return path.join(REPO_ROOT, '.cache', `prefect-venv-${version}`);
}

/** True when the venv has our marker for this version and pip's record says that version is installed. */
async function isUsable(dir: string, version: string): Promise<boolean> {
  const python = path.join(dir, 'bin', 'python');
  const prefectBin = path.join(dir, 'bin', 'prefect');
  if (!existsSync(prefectBin) || !existsSync(python)) return false;
  try {
    if ((await readFile(path.join(dir, MARKER), 'utf8')).trim() !== version) return false;
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

let inFlight: Promise<PrefectVenv> | undefined;

/**
 * Ensures the venv exists and returns its paths. Concurrent callers in one process share one install.
 * Python comes from HK_PYTHON, else `python3` on PATH (Prefect 3.9 needs >= 3.10).
 */
export function ensurePrefectVenv(version = PREFECT_VERSION): Promise<PrefectVenv> {
  inFlight ??= doEnsure(version).finally(() => {
    inFlight = undefined;
  });
  return inFlight;
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
  log(`creating ${dir} with prefect==${version} (first run: pip needs a minute or two)`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(path.dirname(dir), { recursive: true });
  const python = process.env.HK_PYTHON ?? 'python3';
  await run(python, ['-m', 'venv', dir]);
  const pipEnv = { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_PROGRESS_BAR: 'off' };
  await run(result.python, ['-m', 'pip', 'install', '--quiet', `prefect==${version}`], pipEnv).catch(
    (err: unknown) => {
      throw new Error(
        `pip install prefect==${version} failed (${String(err)}). Needs network access to PyPI ` +
          `(or a warm pip cache) and Python >= 3.10 (set HK_PYTHON to pick the interpreter).`,
      );
    },
  );
  await writeFile(path.join(dir, MARKER), `${version}\n`);
  if (!(await isUsable(dir, version))) {
    throw new Error(`venv ${dir} was installed but 'pip show prefect' does not report ${version}`);
  }
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

// CLI entry: `node --import tsx test/harness/venv.ts` prints the venv's prefect path.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensurePrefectVenv().then(
    (v) => process.stdout.write(`${v.prefectBin}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
