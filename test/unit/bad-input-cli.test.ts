/**
 * Bad input on the CLI face, one contract for every command (issue #12, item 9): each row is an
 * argv the real `housekeeper` main() gets, in process, over a real store; the row states the exit
 * code and the class of the answer. For every row: errors on stderr, nothing on stdout (one JSON
 * document with --json), no stack trace, no raw control characters, a short message even for a
 * 100,000-character argument, and nothing written (every row of every table, every file unchanged).
 * test/unit/bad-input-faces.test.ts does the same over web RPC and the IPC router.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../main/cli/index';
import { badInputFixture, type BadInputFixture } from './support/bad-input-fixture';

type Kind = 'usage' | 'unknown' | 'unexpected' | 'not-applicable' | 'not-found' | 'conflict' | 'refused';

/** What each kind of answer looks like on stderr (after "housekeeper: "). */
const WORDING: Record<Kind, { exit: number; lines: number; re: RegExp }> = {
  // The argument, why, what was expected, an example.
  usage: { exit: 2, lines: 1, re: /^housekeeper: (--[a-z-]+|[A-Z_]+)\b.*[Ee]xpected .+, e\.g\. .+\.$/ },
  unknown: { exit: 2, lines: 1, re: /^housekeeper: Unknown (option|command|sub-command) .*(Use |Run `housekeeper --help`)/ },
  unexpected: { exit: 2, lines: 1, re: /^housekeeper: Unexpected argument ".*": "housekeeper [a-z ]+" takes (no arguments|at most .+)\.$/ },
  'not-applicable': { exit: 2, lines: 1, re: /^housekeeper: --[a-z-]+ does not apply to "housekeeper [a-z ]+"; it takes .+\.$/ },
  'not-found': { exit: 2, lines: 2, re: /^housekeeper: (No saved connection|No profile|No purge plan|No .*plan|That .* no longer exists|No .*named|.*not found|.*does not exist).*\n {2}\S/i },
  conflict: { exit: 2, lines: 2, re: /^housekeeper: .*already exists.*\n {2}\S/ },
  refused: { exit: 3, lines: 2, re: /^housekeeper: Not confirmed; nothing was (removed|deleted)\.\n {2}Pass --yes/ },
};

const ESC = 'prod\u001b]0;pwned\u0007';
const HUGE = 'x'.repeat(100_000);
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/; // eslint-disable-line no-control-regex

let f: BadInputFixture;
let savedHome: string | undefined;

beforeAll(async () => {
  f = await badInputFixture();
  savedHome = process.env.HOUSEKEEPER_HOME;
  process.env.HOUSEKEEPER_HOME = f.home;
});
afterAll(() => {
  if (savedHome === undefined) delete process.env.HOUSEKEEPER_HOME;
  else process.env.HOUSEKEEPER_HOME = savedHome;
  f.cleanup();
});

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

// Rows: argv (functions get the fixture), the expected kind. `-c prod` is the saved connection.
type Row = [label: string, argv: (f: BadInputFixture) => string[], kind: Kind];
const C = ['-c', 'prod'];
const API = (fx: BadInputFixture) => fx.apiUrl;

const ROWS: Row[] = [
  // Parsing, every command
  ['unknown option', () => ['audit', '--jsn'], 'unknown'],
  ['unknown command', () => ['purg'], 'unknown'],
  ['unknown sub-command', () => ['connections', 'lst'], 'unknown'],
  ['inspect x', () => ['inspect', 'x'], 'unknown'],
  ['purge x', () => ['purge', 'x'], 'unknown'],
  ['schedules x', () => ['schedules', 'x'], 'unknown'],
  ['profiles x', () => ['profiles', 'x'], 'unknown'],
  ['huge command', () => [HUGE], 'unknown'],
  ['huge option', () => ['audit', `--${HUGE}`], 'unknown'],
  ['connections list x', () => ['connections', 'list', 'x'], 'unexpected'],
  ['connections x (no sub)', () => ['connections', 'list', 'a', 'b'], 'unexpected'],
  ['audit x', () => ['audit', 'x'], 'unexpected'],
  ['serve x', () => ['serve', 'x'], 'unexpected'],
  ['missing value at the end', () => ['purge', '--port'], 'usage'],
  ['missing value before an option', () => ['audit', '--limit', '--connection', 'prod'], 'usage'],
  ['a switch given a value', () => ['audit', '--json=yes'], 'usage'],
  ['an option given twice', () => ['audit', '--limit', '5', '--limit', '6'], 'usage'],
  ['an option of another command', () => ['audit', '--older-than', '5m'], 'not-applicable'],
  ['--api on connections list', () => ['connections', 'list', '--api', 'http://127.0.0.1:4200/api'], 'not-applicable'],
  ['--deployment on serve', () => ['serve', '--deployment', 'a/b'], 'not-applicable'],
  ['--anchor on purge', () => ['purge', ...C, '--anchor', 'now'], 'not-applicable'],
  ['--anchor on schedules pause', () => ['schedules', 'pause', ...C, '--anchor', 'now'], 'not-applicable'],
  ['--rev on profiles list', () => ['profiles', 'list', '--rev', '2'], 'not-applicable'],

  // audit
  ['audit --limit 0', () => ['audit', '--limit', '0'], 'usage'],
  ['audit --limit 1001', () => ['audit', '--limit', '1001'], 'usage'],
  ['audit --limit abc', () => ['audit', '--limit', 'abc'], 'usage'],
  ['audit --limit 1e3', () => ['audit', '--limit', '1e3'], 'usage'],
  ['audit --limit -1', () => ['audit', '--limit', '-1'], 'usage'],
  ['audit --limit 99999999999999999999999', () => ['audit', '--limit', '9'.repeat(23)], 'usage'],
  ['audit --connection with ESC', () => ['audit', '--connection', ESC], 'usage'],
  ['audit --connection 100k', () => ['audit', '--connection', HUGE], 'usage'],
  ['audit --connection unknown', () => ['audit', '--connection', 'nosuch'], 'not-found'],

  // serve
  ['serve --host ""', () => ['serve', '--host', ''], 'usage'],
  ['serve --host 0.0.0.0 without --allow-remote', () => ['serve', '--host', '0.0.0.0'], 'usage'],
  ['serve --host :: without --allow-remote', () => ['serve', '--host', '::'], 'usage'],
  ['serve --host with a space', () => ['serve', '--host', 'bad host'], 'usage'],
  ['serve --host with a newline', () => ['serve', '--host', '127.0.0.1\n'], 'usage'],
  ['serve --allow-remote alone', () => ['serve', '--allow-remote'], 'usage'],
  ['serve --port 65536', () => ['serve', '--port', '65536'], 'usage'],
  ['serve --port -1', () => ['serve', '--port', '-1'], 'usage'],
  ['serve --port http', () => ['serve', '--port', 'http'], 'usage'],
  ['serve --no-open=1', () => ['serve', '--no-open=1'], 'usage'],

  // connections
  ['add without --name', (fx) => ['connections', 'add', '--api', API(fx)], 'usage'],
  ['add without --api', () => ['connections', 'add', '--name', 'n'], 'usage'],
  ['add --name with ESC', (fx) => ['connections', 'add', '--name', ESC, '--api', API(fx)], 'usage'],
  ['add --name with a newline', (fx) => ['connections', 'add', '--name', 'a\nb', '--api', API(fx)], 'usage'],
  ['add --name with a bidi override', (fx) => ['connections', 'add', '--name', 'a\u202eb', '--api', API(fx)], 'usage'],
  ['add --name of 81 characters', (fx) => ['connections', 'add', '--name', 'n'.repeat(81), '--api', API(fx)], 'usage'],
  ['add --name of 100k characters', (fx) => ['connections', 'add', '--name', HUGE, '--api', API(fx)], 'usage'],
  ['add --api ftp://', () => ['connections', 'add', '--name', 'n', '--api', 'ftp://x/api'], 'usage'],
  ['add --api without a scheme', () => ['connections', 'add', '--name', 'n', '--api', 'localhost:4200'], 'usage'],
  ['add --api of 100k', () => ['connections', 'add', '--name', 'n', '--api', `http://${HUGE}`], 'usage'],
  ['add --db mysql://', (fx) => ['connections', 'add', '--name', 'n', '--api', API(fx), '--db', 'mysql://u@h/db'], 'usage'],
  ['add --api-auth without a colon', (fx) => ['connections', 'add', '--name', 'n', '--api', API(fx), '--api-auth', 'nocolon'], 'usage'],
  ['add --api-auth and --api-key', (fx) => ['connections', 'add', '--name', 'n', '--api', API(fx), '--api-auth', 'a:b', '--api-key', 'pnu_x'], 'usage'],
  ['add --api-key with a space', (fx) => ['connections', 'add', '--name', 'n', '--api', API(fx), '--api-key', 'pnu x'], 'usage'],
  ['add a duplicate name', (fx) => ['connections', 'add', '--name', 'PROD', '--api', API(fx)], 'conflict'],
  ['test without a server', () => ['connections', 'test'], 'usage'],
  ['test with --connection and --api', (fx) => ['connections', 'test', ...C, '--api', API(fx)], 'usage'],
  ['test with --db but no --api', () => ['connections', 'test', '--db', 'postgresql://u@h/db'], 'usage'],
  ['test an unknown connection', () => ['connections', 'test', '-c', 'nosuch'], 'not-found'],
  ['remove without a name', () => ['connections', 'remove'], 'usage'],
  ['remove two names', () => ['connections', 'remove', 'a', 'b'], 'unexpected'],
  ['remove NAME and --connection', () => ['connections', 'remove', 'prod', '--connection', 'prod'], 'usage'],
  ['remove an unknown connection', () => ['connections', 'remove', 'nosuch', '--yes'], 'not-found'],
  ['remove without --yes and no terminal', () => ['connections', 'remove', 'prod'], 'refused'],

  // inspect
  ['inspect --format pdf', () => ['inspect', ...C, '--format', 'pdf'], 'usage'],
  ['inspect --output without --format', () => ['inspect', ...C, '--output', 'r.md'], 'usage'],
  ['inspect --output in a missing folder', (fx) => ['inspect', ...C, '--format', 'md', '--output', path.join(fx.work, 'missing', 'r.md')], 'usage'],
  ['inspect --output that is a folder', (fx) => ['inspect', ...C, '--format', 'md', '--output', fx.work], 'usage'],
  ['inspect --exact=1', () => ['inspect', ...C, '--exact=1'], 'usage'],
  ['inspect without a server', () => ['inspect'], 'usage'],
  ['inspect an unknown connection', () => ['inspect', '-c', 'nosuch'], 'not-found'],
  ['inspect history --limit 0', () => ['inspect', 'history', ...C, '--limit', '0'], 'usage'],
  ['inspect history x', () => ['inspect', 'history', 'x'], 'unexpected'],

  // purge
  ['purge --older-than 30x', () => ['purge', ...C, '--older-than', '30x'], 'usage'],
  ['purge --older-than 99999999999d', () => ['purge', ...C, '--older-than', '99999999999d'], 'usage'],
  ['purge --older-than -5m', () => ['purge', ...C, '--older-than', '-5m'], 'usage'],
  ['purge --older-than 0m', () => ['purge', ...C, '--older-than', '0m'], 'usage'],
  ['purge --older-than in the future', () => ['purge', ...C, '--older-than', '2999-01-01T00:00:00Z'], 'usage'],
  ['purge --older-than 100k', () => ['purge', ...C, '--older-than', HUGE], 'usage'],
  ['purge --older-than 30x on an ad hoc API-only server', (fx) => ['purge', '--api', API(fx), '--older-than', '30x'], 'usage'],
  ['purge --state Running', () => ['purge', ...C, '--state', 'Running'], 'usage'],
  ['purge --keep-newest -1', () => ['purge', ...C, '--keep-newest', '-1'], 'usage'],
  ['purge --keep-newest 100001', () => ['purge', ...C, '--keep-newest', '100001'], 'usage'],
  ['purge --executor turbo', () => ['purge', ...C, '--executor', 'turbo'], 'usage'],
  ['purge --batch-size 0', () => ['purge', ...C, '--batch-size', '0'], 'usage'],
  ['purge --batch-target-ms 5', () => ['purge', ...C, '--batch-target-ms', '5'], 'usage'],
  ['purge --deployment with ESC', () => ['purge', ...C, '--deployment', ESC], 'usage'],
  ['purge --deployment ""', () => ['purge', ...C, '--deployment', ''], 'usage'],
  ['purge --tag of 600 characters', () => ['purge', ...C, '--tag', 't'.repeat(600)], 'usage'],
  ['purge --export that is a folder', (fx) => ['purge', ...C, '--export', fx.work], 'usage'],
  ['purge without a server', () => ['purge', '--older-than', '2h'], 'usage'],
  ['purge status without a plan', () => ['purge', 'status'], 'usage'],
  ['purge status two plans', () => ['purge', 'status', 'a', 'b'], 'unexpected'],
  ['purge status unknown plan', () => ['purge', 'status', 'nosuch'], 'not-found'],
  ['purge resume unknown plan', () => ['purge', 'resume', 'nosuch'], 'not-found'],
  ['purge resume --batch-size 0', () => ['purge', 'resume', 'p1', '--batch-size', '0'], 'usage'],

  // schedules
  ['simulate --set bogus=5', () => ['schedules', 'simulate', ...C, '--set', 'bogus=5'], 'usage'],
  ['simulate --set min_runs=abc', () => ['schedules', 'simulate', ...C, '--set', 'min_runs=abc'], 'usage'],
  ['simulate --set min_runs', () => ['schedules', 'simulate', ...C, '--set', 'min_runs'], 'usage'],
  ['simulate --set max_scheduled_time=3600', () => ['schedules', 'simulate', ...C, '--set', 'loop_seconds=0'], 'usage'],
  ['simulate --horizon 0', () => ['schedules', 'simulate', ...C, '--horizon', '0'], 'usage'],
  ['simulate --horizon 1000', () => ['schedules', 'simulate', ...C, '--horizon', '1000'], 'usage'],
  ['recreate --anchor yesterday-ish', () => ['schedules', 'recreate', ...C, '--anchor', 'yesterday-ish'], 'usage'],
  ['reset --anchor 2026-13-45', () => ['schedules', 'reset', ...C, '--anchor', '2026-13-45'], 'usage'],
  ['reset --keep-newest 10001', () => ['schedules', 'reset', ...C, '--keep-newest', '10001'], 'usage'],
  ['list --profile and --defaults', () => ['schedules', 'list', ...C, '--profile', 'base', '--defaults'], 'usage'],
  ['list --profile twice', () => ['schedules', 'list', ...C, '--profile', 'a', '--profile', 'b'], 'usage'],
  ['list without a server', () => ['schedules', 'list'], 'usage'],
  ['restore without a change', () => ['schedules', 'restore', ...C], 'usage'],
  ['restore --change and an id', () => ['schedules', 'restore', ...C, '--change', 'x', 'y'], 'usage'],
  ['changes --limit 501', () => ['schedules', 'changes', ...C, '--limit', '501'], 'usage'],
  ['status without a plan', () => ['schedules', 'status'], 'usage'],
  ['status unknown plan', () => ['schedules', 'status', 'nosuch'], 'not-found'],

  // profiles
  ['create without a name', () => ['profiles', 'create'], 'usage'],
  ['create "a b"', () => ['profiles', 'create', 'a b'], 'usage'],
  ['create with ESC', () => ['profiles', 'create', ESC], 'usage'],
  ['create with 100k', () => ['profiles', 'create', HUGE], 'usage'],
  ['create --set "bad key=1"', () => ['profiles', 'create', 'ok', '--set', 'bad key=1'], 'usage'],
  ['create --set NOEQUALS', () => ['profiles', 'create', 'ok', '--set', 'NOEQUALS'], 'usage'],
  ['create NAME and --name', () => ['profiles', 'create', 'ok', '--name', 'other'], 'usage'],
  ['create an existing name', () => ['profiles', 'create', 'base'], 'conflict'],
  ['show without a name', () => ['profiles', 'show'], 'usage'],
  ['show two names', () => ['profiles', 'show', 'base', 'extra'], 'unexpected'],
  ['show --rev 0', () => ['profiles', 'show', 'base', '--rev', '0'], 'usage'],
  ['show an unknown profile', () => ['profiles', 'show', 'nosuch'], 'not-found'],
  ['edit --preset nope', () => ['profiles', 'edit', 'base', '--preset', 'nope'], 'usage'],
  ['edit --unset 1BAD', () => ['profiles', 'edit', 'base', '--unset', '1BAD'], 'usage'],
  ['edit --message with ESC', () => ['profiles', 'edit', 'base', '--message', 'a\u001b[2Jb'], 'usage'],
  ['edit --set with ESC in the value', () => ['profiles', 'edit', 'base', '--set', 'PREFECT_API_URL=a\u001bb'], 'usage'],
  ['edit an unknown profile', () => ['profiles', 'edit', 'nosuch', '--set', 'PREFECT_API_URL=x'], 'not-found'],
  ['rename without a new name', () => ['profiles', 'rename', 'base'], 'usage'],
  ['rename to "bad name"', () => ['profiles', 'rename', 'base', 'bad name'], 'usage'],
  ['delete without --yes and no terminal', () => ['profiles', 'delete', 'base'], 'refused'],
  ['undelete without an id', () => ['profiles', 'undelete'], 'usage'],
  ['diff NAME OTHER REV', () => ['profiles', 'diff', 'base', 'x', '3'], 'usage'],
  ['restore without a revision', () => ['profiles', 'restore', 'base'], 'usage'],
  ['restore revision abc', () => ['profiles', 'restore', 'base', 'abc'], 'usage'],
  ['import without a file', () => ['profiles', 'import'], 'usage'],
  ['import a missing file', (fx) => ['profiles', 'import', path.join(fx.work, 'nope.toml')], 'usage'],
  ['import a folder', (fx) => ['profiles', 'import', fx.work], 'usage'],
  ['import --format xml', (fx) => ['profiles', 'import', fx.existing, '--format', 'xml'], 'usage'],
  ['import --name "bad name"', (fx) => ['profiles', 'import', fx.existing, '--name', 'bad name'], 'usage'],
  ['import --profile with a bidi override', (fx) => ['profiles', 'import', fx.existing, '--profile', 'a\u202eb'], 'usage'],
  ['import FILE and --file', (fx) => ['profiles', 'import', fx.existing, '--file', fx.existing], 'usage'],
  ['export --format xml', () => ['profiles', 'export', 'base', '--format', 'xml'], 'usage'],
  ['export --file in a missing folder', (fx) => ['profiles', 'export', 'base', '--file', path.join(fx.work, 'missing', 'p.env')], 'usage'],
  ['export an unknown profile', () => ['profiles', 'export', 'nosuch'], 'not-found'],
  ['drift without a server', () => ['profiles', 'drift', 'base'], 'usage'],
  ['presets x', () => ['profiles', 'presets', 'x'], 'unexpected'],
  ['list x', () => ['profiles', 'list', 'x'], 'unexpected'],
];

describe('bad input on the CLI: exit code, stream, wording, nothing written', () => {
  it(`has a row for every command (${ROWS.length} rows)`, () => {
    const commands = new Set(ROWS.map(([, argv]) => argv(f)[0]));
    for (const c of ['serve', 'connections', 'audit', 'inspect', 'purge', 'schedules', 'profiles']) expect(commands).toContain(c);
    expect(ROWS.length).toBeGreaterThanOrEqual(150);
  });

  for (const [label, argv, kind] of ROWS) {
    it(`${label} -> ${kind}`, async () => {
      const before = f.snapshot();
      const r = await run(argv(f));
      const w = WORDING[kind];
      expect(r.code, r.stderr).toBe(w.exit);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(w.lines);
      expect(r.stderr.trimEnd()).toMatch(w.re);
      expect(r.stderr).not.toMatch(/\n\s+at |Error:|TypeError|RangeError|EACCES|ENOENT|EEXIST|undefined/);
      expect(r.stderr).not.toMatch(RAW_CONTROL);
      expect(r.stderr.length).toBeLessThan(600);
      expect(f.snapshot()).toBe(before);
    });
  }

  it('with --json: one JSON document on stdout with the code and the argument, the line on stderr', async () => {
    for (const argv of [['audit', '--limit', '0', '--json'], ['connections', 'add', '--name', ESC, '--api', f.apiUrl, '--json'], ['purge', ...C, '--older-than', '30x', '--json']]) {
      const r = await run(argv);
      expect(r.code).toBe(2);
      const doc = JSON.parse(r.stdout) as { ok: boolean; error: { code: string; message: string; details: { argument: string; expected: string; example: string } } };
      expect(doc).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
      expect(doc.error.details.argument).toMatch(/^--/);
      expect(doc.error.details.example).toBeTruthy();
      expect(r.stdout).not.toMatch(RAW_CONTROL);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    }
  });
});
