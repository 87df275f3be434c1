/**
 * `node --import tsx test/harness/cli.ts up` — start the harness and keep it running until Ctrl-C.
 *
 * Writes HarnessInfo to .cache/harness.json; `HK_HARNESS_JSON=.cache/harness.json npx vitest ...`
 * then reuses it instead of starting a fresh one per run (seconds saved on every iteration).
 * `--out FILE` writes it elsewhere (several harnesses side by side, e.g. one per Prefect line).
 * `--no-seed` skips the baseline seed; `--demo` seeds prefectPg at demo scale (the baseline
 * deployments with the demo's run volume, ~a minute of seeding) for poking at performance.
 * The file contains throwaway passwords of a local cluster.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BASELINE_PG_VOLUME, startHarness } from './index';
import { DEMO_VOLUME } from './demo';
import { REPO_ROOT } from './venv';

async function up(args: string[]): Promise<void> {
  const harness = await startHarness({
    seed: !args.includes('--no-seed'),
    ...(args.includes('--demo') ? { volume: { pg: { ...BASELINE_PG_VOLUME, ...DEMO_VOLUME, future: BASELINE_PG_VOLUME.future } } } : {}),
  });
  const { info } = harness;
  const outIdx = args.indexOf('--out');
  const file = outIdx >= 0 && args[outIdx + 1] ? path.resolve(args[outIdx + 1]!) : path.join(REPO_ROOT, '.cache', 'harness.json');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });

  const pg = info.pg;
  const url = (role: { user: string; password: string }, db: string): string =>
    `postgresql://${role.user}:${role.password}@${pg.host}:${pg.port}/${db}`;
  const lines = [
    '',
    `Harness up in ${info.startupSeconds?.toFixed(1)} s (Prefect ${info.prefectPg.version}).`,
    '',
    'Prefect APIs:',
    `  prefectPg      ${info.prefectPg.apiUrl}`,
    `  prefectSqlite  ${info.prefectSqlite.apiUrl}   (db ${info.prefectSqlite.db.kind === 'sqlite' ? info.prefectSqlite.db.path : ''})`,
    `  prefectAuth    ${info.prefectAuth.apiUrl}   (${info.prefectAuth.authString ? `basic auth ${info.prefectAuth.authString}` : `no basic auth in Prefect ${info.prefect.version}`})`,
    '',
    'PostgreSQL:',
    `  owner      ${url(pg.owner, pg.database)}`,
    `  auth db    ${url(pg.owner, 'prefect_auth')}`,
    `  monitor    ${url(pg.monitor, pg.database)}`,
    `  superuser  ${url(pg.superuser, 'postgres')}`,
    '',
    `HarnessInfo: ${file}`,
    `  HK_HARNESS_JSON=${path.relative(process.cwd(), file) || file} npx vitest run --project integration`,
    '',
    'Ctrl-C to stop.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping harness...\n');
    await harness.stop();
    await rm(file, { force: true });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  // Keep the event loop alive until a signal arrives.
  setInterval(() => {}, 1 << 30);
}

const [cmd, ...rest] = process.argv.slice(2);
if (cmd === 'up') {
  up(rest).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
} else {
  process.stderr.write('usage: node --import tsx test/harness/cli.ts up [--no-seed | --demo] [--out FILE]\n');
  process.exit(2);
}
