/**
 * The .env export read by the readers it is written for, for real: python-dotenv from the harness's
 * Prefect venv (what pydantic-settings uses to read a server's .env) and POSIX shells (`set -a; . file`
 * in dash and bash) must get back exactly the values that went in, awkward ones included, and fill in
 * ${NAME} the same way (python-dotenv always does; there is no escape for it). systemd's
 * EnvironmentFile= follows the shell's quoting rules (systemd.exec(5)); no systemd runs here to
 * read it, so that reader is covered by the rules, not by this test.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { renderFormat } from '../../main/core/profiles/formats';
import type { AppError } from '../../shared/errors';

const h = inject('harness');

const AWKWARD = [
  'plain',
  '',
  'with space',
  'a#b',
  'a #b',
  ' leading',
  'trailing ',
  "it's",
  'say "hi"',
  'back\\slash',
  'C:\\temp\\new',
  '$HOME',
  'costs $5',
  '`whoami`',
  '$(id)',
  'line1\nline2',
  'tab\there',
  'ünïcode – ok',
  'a=b=c',
  '*',
  '~/x',
  'x; rm -rf /',
  '#start',
  "'quoted'",
  '"double"',
  '\\"',
  '!bang',
  'percent%s',
  '{"Authorization": "Bearer t0k3n"}',
];
const values: Record<string, string> = {
  ...Object.fromEntries(AWKWARD.map((v, i) => [`PREFECT_TEST_V${i}`, v])),
  // Prefect's own placeholder: the URL sorts before the password, so the export must write the password first.
  PREFECT_SERVER_DATABASE_CONNECTION_URL: 'postgresql+asyncpg://prefect:${PREFECT_SERVER_DATABASE_PASSWORD}@db:5432/prefect',
  PREFECT_SERVER_DATABASE_PASSWORD: "s3cr3t pw'#1",
  PREFECT_TEST_FALLBACK: 'x-${HK_NOT_SET:-fallback}-y',
  PREFECT_TEST_HOME: 'home is ${HOME}',
};
/** What both readers must return: the values with ${NAME} filled in from the file and the environment. */
const expected: Record<string, string> = {
  ...values,
  PREFECT_SERVER_DATABASE_CONNECTION_URL: `postgresql+asyncpg://prefect:s3cr3t pw'#1@db:5432/prefect`,
  PREFECT_TEST_FALLBACK: 'x-fallback-y',
  PREFECT_TEST_HOME: 'home is /nowhere',
};
const readerEnv = () => ({ PATH: process.env.PATH ?? '', HOME: '/nowhere' });

let dir: string;
let file: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-env-readers-'));
  file = path.join(dir, '.env');
  fs.writeFileSync(file, renderFormat('env', { name: 'readers', values, includeSecrets: true, options: {} }).content);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('.env export read back by python-dotenv and POSIX sh', () => {
  it("python-dotenv (Prefect's .env loader) reads every value exactly", () => {
    const script = 'import json, sys\nfrom dotenv import dotenv_values\nprint(json.dumps(dotenv_values(sys.argv[1])))';
    const out = execFileSync(h.venvPython, ['-c', script, file], { cwd: dir, env: readerEnv() }).toString();
    expect(JSON.parse(out)).toEqual(expected);
  });

  it.each(['dash', 'bash'])('%s reads every value exactly with `set -a; . file`', (shell) => {
    const keys = Object.keys(values);
    const script = `set -a; . "$1"; ${keys.map((k) => `printf '%s\\0' "$${k}"`).join('; ')}`;
    const out = execFileSync(shell, ['-c', script, shell, file], { cwd: dir, env: readerEnv() }).toString();
    expect(Object.fromEntries(out.split('\0').slice(0, -1).map((v, i) => [keys[i]!, v]))).toEqual(expected);
  });

  it('says which readers the file is for, and refuses a value no quoting serves', () => {
    const r = renderFormat('env', { name: 'readers', values, includeSecrets: true, options: {} });
    expect(r.content).toMatch(/^# Reads the same in Prefect's \.env loader, POSIX sh \(set -a; \. \.\/\.env\) and systemd EnvironmentFile=; not with docker run --env-file/m);
    expect(r.notes.join(' ')).toMatch(/docker run --env-file would keep the quotes/);
    expect(r.notes.join(' ')).toMatch(/PREFECT_SERVER_DATABASE_CONNECTION_URL.*fill in \$\{\.\.\.\}/);
    expect(r.content.indexOf('PREFECT_SERVER_DATABASE_PASSWORD=')).toBeLessThan(r.content.indexOf('PREFECT_SERVER_DATABASE_CONNECTION_URL='));
    const plain = renderFormat('env', { name: 'p', values: { PREFECT_A: 'x', PREFECT_B: 'http://h:4200/api' }, includeSecrets: true, options: {} });
    expect(plain.content).toMatch(/and docker run --env-file\.$/m);
    let e: AppError | undefined;
    try {
      renderFormat('env', { name: 'p', values: { PREFECT_SERVER_DATABASE_PASSWORD: "it's $5" }, includeSecrets: true, options: {} });
    } catch (x) {
      e = x as AppError;
    }
    expect(e?.code).toBe('VALIDATION');
    expect(e?.message).toMatch(/PREFECT_SERVER_DATABASE_PASSWORD cannot be written to a \.env file/);
    expect(e?.message).not.toContain("it's $5");
  });
});
