/**
 * `housekeeper profiles` as a user types it (in-process, own HOUSEKEEPER_HOME): Prefect's rules block
 * saves, imports and exports with exit 2 and nothing changed unless --force; --prefect-line picks the
 * catalog; a file that is not a settings file is refused without a line of it on any stream.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../main/cli/index';

let dir: string;
let prevHome: string | undefined;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-prof-cli-'));
  prevHome = process.env.HOUSEKEEPER_HOME;
  process.env.HOUSEKEEPER_HOME = path.join(dir, 'home');
});
afterEach(() => {
  if (prevHome === undefined) delete process.env.HOUSEKEEPER_HOME;
  else process.env.HOUSEKEEPER_HOME = prevHome;
  fs.rmSync(dir, { recursive: true, force: true });
});

async function hk(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const w1 = process.stdout.write.bind(process.stdout);
  const w2 = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = w1;
    process.stderr.write = w2;
  }
}

async function names(): Promise<string[]> {
  const r = await hk('profiles', 'list', '--json');
  return (JSON.parse(r.out) as { value: { name: string }[] }).value.map((p) => p.name);
}

async function revs(name: string): Promise<number[]> {
  const r = await hk('profiles', 'history', name, '--json');
  return (JSON.parse(r.out) as { value: { rev: number }[] }).value.map((h) => h.rev);
}

const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};

describe('a value Prefect rejects blocks the save', () => {
  it('create exits 2 and stores nothing; --force stores it', async () => {
    const bad = await hk('profiles', 'create', 'x', '--set', 'PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME=abc');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/Prefect 3\.9 would reject this value; nothing was saved/);
    expect(bad.err).toMatch(/--force/);
    expect(await names()).toEqual([]);
    const forced = await hk('profiles', 'create', 'x', '--set', 'PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME=abc', '--force');
    expect(forced.code).toBe(0);
    expect(await names()).toEqual(['x']);
  });

  it('edit exits 2 and writes no revision', async () => {
    expect((await hk('profiles', 'create', 'x', '--set', 'PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS=20')).code).toBe(0);
    const bad = await hk('profiles', 'edit', 'x', '--set', 'PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME=abc');
    expect(bad.code).toBe(2);
    expect(await revs('x')).toEqual([1]);
    expect((await hk('profiles', 'edit', 'x', '--set', 'PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME=PT15M')).code).toBe(0);
    expect(await revs('x')).toEqual([2, 1]);
  });
});

describe('export of a rejected profile is refused both ways unless forced', () => {
  beforeEach(async () => {
    expect((await hk('profiles', 'create', 'bad', '--set', 'PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME=3600', '--force')).code).toBe(0);
  });

  it('to stdout: exit 2 and nothing printed (a `> file` redirect keeps nothing)', async () => {
    const r = await hk('profiles', 'export', 'bad', '--format', 'env');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/nothing was exported/);
    const forced = await hk('profiles', 'export', 'bad', '--format', 'env', '--force');
    expect(forced.code).toBe(0);
    expect(forced.out).toContain('PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME=3600');
  });

  it('to --file: exit 2 and no file', async () => {
    const target = path.join(dir, 'bad.env');
    const r = await hk('profiles', 'export', 'bad', '--format', 'env', '--file', target);
    expect(r.code).toBe(2);
    expect(fs.existsSync(target)).toBe(false);
    expect((await hk('profiles', 'export', 'bad', '--format', 'env', '--file', target, '--force')).code).toBe(0);
    expect(fs.existsSync(target)).toBe(true);
  });
});

describe('import validates what the README says', () => {
  it('refuses duplicate keys in .env, with both lines, and imports nothing', async () => {
    const r = await hk('profiles', 'import', file('.env', 'PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS=20\nPREFECT_LOGGING_LEVEL=INFO\nPREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS=30\n'), '--name', 'dup');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/line 3.*set twice \(lines 1 and 3\)/);
    expect(await names()).toEqual([]);
  });

  it('refuses a value of the wrong type (MAX_RUNS=twenty) unless forced', async () => {
    const f = file('.env', 'PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS=twenty\n');
    const r = await hk('profiles', 'import', f, '--name', 'typed');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/"twenty" is not a whole number/);
    expect(r.err).toMatch(/nothing was imported/);
    expect(await names()).toEqual([]);
    expect((await hk('profiles', 'import', f, '--name', 'typed', '--force')).code).toBe(0);
    expect(await names()).toEqual(['typed']);
  });

  it("refuses compose MIN_SCHEDULED_TIME: '3600' (plain seconds are not a timedelta)", async () => {
    const f = file('docker-compose.yml', "services:\n  server:\n    environment:\n      PREFECT_SERVER_SERVICES_SCHEDULER_MIN_SCHEDULED_TIME: '3600'\n");
    const r = await hk('profiles', 'import', f);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/MIN_SCHEDULED_TIME: a plain number is not accepted here; write it as ISO 8601, e\.g\. PT1H/);
    expect(await names()).toEqual([]);
  });

  it('says where an import came from in the history', async () => {
    const f = file('prod.env', 'PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS=20\n');
    expect((await hk('profiles', 'import', f, '--format', 'env', '--name', 'prod')).code).toBe(0);
    const h = JSON.parse((await hk('profiles', 'history', 'prod', '--json')).out) as { value: { message: string; source: string }[] };
    expect(h.value[0]).toMatchObject({ source: 'import', message: `Imported from ${f}` });
  });

  it('refuses a private key picked by mistake without echoing any line of it', async () => {
    const key = [
      '-----BEGIN OPENSSH PRIVATE KEY-----',
      'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
      'QyNTUxOQAAACDHVIdgLyyD86zB4iHBtxicqYQQluAEHYc5laNEt+TxVgAAAJB18EzhdfBM',
      'AAAAC3NzaC1lZDI1NTE5AAAAIMdUh2AvLIPzrMHiIcG3GJyphBCW4AQdhzmVo0S35PFW==',
      '-----END OPENSSH PRIVATE KEY-----',
    ].join('\n');
    const f = file('id_ed25519', `${key}\n`);
    for (const format of ['toml', 'env', 'compose', 'k8s', 'helm', 'systemd']) {
      const r = await hk('profiles', 'import', f, '--format', format, '--name', 'k', '--json');
      expect(r.code, format).toBe(2);
      for (const line of key.split('\n')) {
        expect(r.out + r.err, `${format} echoed "${line}"`).not.toContain(line);
        expect(r.out + r.err).not.toContain(line.slice(0, 20));
      }
      expect(r.out + r.err, format).toMatch(/not a settings file|cannot be read/);
    }
    expect(await names()).toEqual([]);
  });
});

describe('--prefect-line', () => {
  it('checks with the chosen line and shows it', async () => {
    // Plain seconds for LATE_RUNS_AFTER_SECONDS are fine in 3.9 (SecondsTimeDelta) but not in 3.4.
    const old = await hk('profiles', 'create', 'old', '--prefect-line', '3.4', '--set', 'PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS=45');
    expect(old.code).toBe(2);
    expect(old.err).toMatch(/Prefect 3\.4 would reject/);
    expect((await hk('profiles', 'create', 'old', '--prefect-line', '3.4.25', '--set', 'PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS=PT45S')).code).toBe(0);
    expect((await hk('profiles', 'show', 'old')).out).toMatch(/For Prefect 3\.4 \(checked with 3\.4\.25's settings/);
    expect((await hk('profiles', 'list')).out).toMatch(/old\s+3\.4/);
    // Moving to 3.9 keeps the values and re-checks them.
    expect((await hk('profiles', 'edit', 'old', '--prefect-line', '3.9')).code).toBe(0);
    expect((await hk('profiles', 'show', 'old')).out).toMatch(/For Prefect 3\.9/);
  });

  it('refuses a line it has no catalog for, naming the ones it has', async () => {
    const r = await hk('profiles', 'create', 'x', '--prefect-line', '2.20');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/3\.0, 3\.1.*3\.9/);
    expect((await hk('profiles', 'lines')).out).toMatch(/3\.0 {2}catalog from Prefect 3\.0\.11[\s\S]*3\.9 {2}catalog from Prefect 3\.9\.1/);
  });

  it('applies presets for the line, leaving out what it does not have', async () => {
    expect((await hk('profiles', 'create', 'old', '--prefect-line', '3.4')).code).toBe(0);
    // The database vacuum service came in 3.6: only the events retention of that preset applies to 3.4.
    const r = await hk('profiles', 'edit', 'old', '--preset', 'retention-vacuum', '--yes', '--json');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/Left out: Prefect 3\.4 has no PREFECT_SERVER_SERVICES_DB_VACUUM_ENABLED/);
    const v = JSON.parse(r.out) as { value: { values: { name: string }[] } };
    expect(v.value.values.map((x) => x.name)).toEqual(['PREFECT_SERVER_EVENTS_RETENTION_PERIOD']);
  });
});
