/**
 * The command specs accept every command line the README and --help show (the bad-input tables
 * prove what they refuse; this proves they refuse nothing they should take). Parse only: no store,
 * no server. File arguments point at files that exist, as the specs check them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommandLine, type ParsedCommandLine } from '../../main/cli/spec';
import { COMMANDS } from '../../main/cli/specs';

let dir: string;
let prev: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-spec-'));
  for (const f of ['profiles.toml', '.env', 'docker-compose.yml']) fs.writeFileSync(path.join(dir, f), '');
  prev = process.cwd();
  process.chdir(dir);
});
afterAll(() => {
  process.chdir(prev);
  fs.rmSync(dir, { recursive: true, force: true });
});

const GOOD = [
  'serve',
  'serve --port 4580 --no-open',
  'serve --port 0',
  'serve --host 127.0.0.1',
  'serve --host ::1',
  'serve --host localhost --port 4580',
  'serve --host 0.0.0.0 --allow-remote',
  'connections',
  'connections list --json',
  'connections add --name prod --api http://127.0.0.1:4200/api --db postgresql://prefect@127.0.0.1:5432/prefect --read-only --test',
  'connections add --name cloud --api https://api.prefect.cloud/api/accounts/0a1b2c3d-0000-4000-8000-000000000001/workspaces/0a1b2c3d-0000-4000-8000-000000000002 --api-key pnu_abc',
  'connections add --name auth --api http://127.0.0.1:4200/api --api-auth admin:s3cret --db postgresql+asyncpg://prefect:pw@db:5432/prefect?sslmode=require --allow-cleartext-password',
  'connections add --name lite --api http://127.0.0.1:4200/api --db ./prefect.db',
  'connections test --connection prod',
  'connections test --api http://127.0.0.1:4200/api --db postgresql://prefect@127.0.0.1/prefect --json',
  'connections remove prod --yes',
  'connections remove --connection prod',
  'audit',
  'audit --connection prod --limit 50 --json',
  'inspect -c prod',
  'inspect -c prod --json',
  'inspect -c prod --format md -o report.md',
  'inspect -c prod --format csv',
  'inspect -c prod --exact',
  'inspect history -c prod --limit 30 --json',
  'purge --connection prod --older-than 2h --dry-run',
  'purge --connection prod --older-than 2h --deployment etl/orders-every-2m --keep-newest 1 --yes --vacuum',
  'purge -c prod --older-than PT30M --state scheduled --state Late --include-manual --work-pool default --work-queue default/q --tag nightly',
  'purge -c prod --older-than 2026-01-01T00:00:00Z --executor api --export out/deleted.jsonl --batch-size 500 --batch-target-ms 200',
  'purge run -c prod',
  'purge status 6f1c2a3b-0000-4000-8000-000000000001',
  'purge resume 6f1c2a3b-0000-4000-8000-000000000001',
  'purge resume 6f1c2a3b-0000-4000-8000-000000000001 --api http://127.0.0.1:4200/api --json',
  'schedules -c prod',
  'schedules list -c prod --deployment flow/name --json',
  'schedules list -c prod --profile production',
  'schedules list -c prod --defaults',
  'schedules simulate -c prod --set min_runs=10 --set max_scheduled_time=2h --horizon 24',
  'schedules simulate -c prod --set PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS=50 --horizon 0.5',
  'schedules recreate -c prod --deployment flow/name --anchor now --dry-run',
  'schedules recreate -c prod --anchor 2026-11-30T09:00:00+01:00 --yes',
  'schedules reset -c prod --keep-newest 1 --yes',
  'schedules pause -c prod --deployment a/b --deployment c/d --yes',
  'schedules resume -c prod --deployment a/b',
  'schedules changes -c prod',
  'schedules restore -c prod --change 6f1c2a3b --dry-run',
  'schedules restore -c prod 6f1c2a3b --yes',
  'schedules status 6f1c2a3b',
  'profiles',
  'profiles list --all',
  'profiles show prod --rev 3',
  'profiles create staging --from prod',
  'profiles create --name staging --set PREFECT_API_URL=http://x:4200/api',
  'profiles import profiles.toml --profile prod',
  'profiles import .env --name staging',
  'profiles import docker-compose.yml --service server --name prod --replace',
  'profiles import --file profiles.toml --all --format toml',
  'profiles edit prod --set PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS=20 --unset PREFECT_LOGGING_LEVEL',
  'profiles edit prod --fix-names',
  'profiles edit prod --preset high-frequency-schedules --yes --message tuned',
  'profiles history prod',
  'profiles diff prod 2 4',
  'profiles diff prod staging',
  'profiles restore prod 2',
  'profiles restore prod --rev 2',
  'profiles rename prod production',
  'profiles delete prod --yes',
  'profiles undelete 6f1c2a3b',
  'profiles export prod --format toml --file profiles.toml',
  'profiles export prod --format helm',
  'profiles export prod --format k8s --namespace prefect --include-secrets --force --yes',
  'profiles drift prod --connection prod-server --json',
  'profiles presets --json',
];

describe('the command specs accept every documented command line', () => {
  for (const line of GOOD) {
    it(line, () => {
      const r = parseCommandLine(line.split(' '), COMMANDS) as ParsedCommandLine;
      expect(r.command).toBe(line.split(' ')[0]);
    });
  }

  it('--help and --version stop before any command is checked', () => {
    expect(parseCommandLine(['purge', '--older-than', 'nonsense', '--help'], COMMANDS)).toEqual({ help: true });
    expect(parseCommandLine(['--version'], COMMANDS)).toEqual({ version: true });
  });

  it('has a spec for every command the CLI dispatches', () => {
    expect(COMMANDS.map((c) => c.command).sort()).toEqual(['audit', 'connections', 'inspect', 'profiles', 'purge', 'schedules', 'serve']);
  });
});
