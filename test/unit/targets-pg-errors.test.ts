import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { registerSecret } from '../../main/core/log/redact';
import { mapPgError, type PgErrorContext } from '../../main/core/targets/pg-errors';
import { isPreferFallbackError, sslOptions } from '../../main/core/targets/pg-ssl';
import { lookupPassword, matchPgpass, splitPgpassLine } from '../../main/core/targets/pgpass';

const ctx: PgErrorContext = { host: 'db.example', port: 5432, database: 'prefect', user: 'prefect', sslmode: 'prefer', statementTimeoutMs: 30_000, lockTimeoutMs: 5_000 };

/** The shape of pg-protocol's DatabaseError. */
function dbError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, severity: 'FATAL' });
}
function sysError(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

describe('mapPgError: SQLSTATE', () => {
  const cases: Array<[string, string, string, RegExp, RegExp?]> = [
    ['28P01', 'password authentication failed for user "prefect"', 'PG_CONNECT', /rejected the password/, /\.pgpass/],
    ['28000', 'no pg_hba.conf entry for host "10.0.0.1", user "prefect", database "prefect", no encryption', 'PG_CONNECT', /pg_hba\.conf/, /sslmode to require/],
    ['28000', 'role "ghost" does not exist', 'PG_CONNECT', /role "prefect" does not exist/],
    ['3D000', 'database "nope" does not exist', 'PG_CONNECT', /database "prefect" does not exist/, /last part/],
    ['42501', 'permission denied for table flow_run', 'PG_PERMISSION', /permission denied for table flow_run/],
    ['57014', 'canceling statement due to statement timeout', 'PG_QUERY', /statement timeout \(30 s\)/, /timeout/],
    ['57014', 'canceling statement due to user request', 'PG_QUERY', /cancelled by the server or an administrator/],
    ['55P03', 'canceling statement due to lock timeout', 'PG_QUERY', /lock timeout \(5 s\)/],
    ['40001', 'could not serialize access', 'PG_QUERY', /serialization/],
    ['40P01', 'deadlock detected', 'PG_QUERY', /deadlock/],
    ['57P01', 'terminating connection due to administrator command', 'PG_CONNECT', /terminated the connection/],
    ['57P03', 'the database system is starting up', 'PG_CONNECT', /not accepting connections/],
    ['53300', 'sorry, too many clients already', 'PG_CONNECT', /no free connection slots/],
    ['42P01', 'relation "flow_run" does not exist', 'PG_QUERY', /table is missing/],
  ];
  it.each(cases)('%s %s', (code, message, appCode, msgRe, hintRe) => {
    const e = mapPgError(dbError(code, message), ctx);
    expect(e).toBeInstanceOf(AppError);
    expect(e.code).toBe(appCode);
    expect(e.message).toMatch(msgRe);
    if (hintRe) expect(e.hint).toMatch(hintRe);
    expect(e.details?.sqlstate).toBe(code);
  });

  it('turns our own cancel into CANCELLED, a timeout into PG_QUERY', () => {
    expect(mapPgError(dbError('57014', 'canceling statement due to user request'), { ...ctx, cancelledByUser: true }).code).toBe('CANCELLED');
    expect(mapPgError(dbError('57014', 'canceling statement due to statement timeout'), { ...ctx, statementTimeoutMs: 500 }).message).toMatch(/0\.5 s/);
  });

  it('says "no password" when none was supplied', () => {
    const e = mapPgError(dbError('28P01', 'password authentication failed for user "prefect"'), { ...ctx, passwordSupplied: false });
    expect(e.message).toMatch(/none is stored/);
    const sasl = mapPgError(new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string'), ctx);
    expect(sasl.message).toMatch(/asks for a password/);
  });
});

describe('mapPgError: network and TLS', () => {
  it('maps refused, unknown host, timeouts', () => {
    expect(mapPgError(sysError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'), ctx).message).toMatch(/connection refused/);
    const agg = Object.assign(new AggregateError([sysError('ECONNREFUSED'), sysError('ECONNREFUSED')], ''), { code: 'ECONNREFUSED' });
    expect(mapPgError(agg, ctx).message).toMatch(/connection refused/);
    const aggNoCode = new AggregateError([sysError('ECONNREFUSED')], '');
    expect(mapPgError(aggNoCode, ctx).message).toMatch(/connection refused/);
    expect(mapPgError(sysError('ENOTFOUND', 'getaddrinfo ENOTFOUND db.example'), ctx).message).toMatch(/could not be found/);
    expect(mapPgError(sysError('ETIMEDOUT'), ctx).message).toMatch(/did not answer/);
    expect(mapPgError(new Error('Connection terminated due to connection timeout'), ctx).message).toMatch(/timed out/);
    expect(mapPgError(new Error('Connection terminated unexpectedly'), ctx).message).toMatch(/closed unexpectedly/);
  });

  it('maps TLS failures with a useful hint', () => {
    const self = mapPgError(sysError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), ctx);
    expect(self.message).toMatch(/not trusted \(self-signed\)/);
    expect(self.hint).toMatch(/CA file|sslmode=require/);
    expect(mapPgError(sysError('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"), ctx).message).toMatch(/not valid for the host name/);
    const noSsl = mapPgError(new Error('The server does not support SSL connections'), { ...ctx, sslmode: 'require' });
    expect(noSsl.message).toMatch(/does not support TLS, but sslmode is "require"/);
    expect(noSsl.hint).toMatch(/prefer or disable/);
  });

  it('keeps AppErrors as they are', () => {
    const a = new AppError('CANCELLED', 'x');
    expect(mapPgError(a, ctx)).toBe(a);
  });
});

describe('redaction of errors', () => {
  it('never carries a registered password or a URL password in the message', () => {
    registerSecret('Sup3rSecretPw');
    const e = mapPgError(new Error('weird failure for postgresql://prefect:Sup3rSecretPw@db/prefect and password=Sup3rSecretPw'), ctx);
    expect(e.message).not.toContain('Sup3rSecretPw');
    expect(e.message).toContain('***');
    const e2 = mapPgError(dbError('XX000', 'internal error near postgres://u:AnotherPw99@h/d'), ctx);
    expect(e2.message).not.toContain('AnotherPw99');
  });
});

describe('sslmode -> pg ssl options', () => {
  it('maps each mode', async () => {
    expect(await sslOptions('disable', undefined, '/nonexistent')).toBe(false);
    expect(await sslOptions('prefer', undefined, '/nonexistent')).toEqual({ rejectUnauthorized: false });
    expect(await sslOptions('require', undefined, '/nonexistent')).toEqual({ rejectUnauthorized: false });
    const ca = await sslOptions('verify-ca', undefined, '/nonexistent');
    expect(ca && ca.rejectUnauthorized).toBe(true);
    expect(ca && ca.checkServerIdentity?.('h', {} as never)).toBeUndefined();
    const full = await sslOptions('verify-full', undefined, '/nonexistent');
    expect(full && full.rejectUnauthorized && full.checkServerIdentity).toBe(undefined);
  });

  it('reads the CA file, and says clearly when it is missing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hk-ca-'));
    const file = path.join(dir, 'ca.pem');
    writeFileSync(file, '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n');
    const withCa = await sslOptions('require', file, '/nonexistent');
    expect(withCa && withCa.ca).toContain('BEGIN CERTIFICATE');
    expect(withCa && withCa.rejectUnauthorized).toBe(true);
    await expect(sslOptions('verify-full', path.join(dir, 'missing.pem'))).rejects.toMatchObject({ code: 'PG_CONNECT', message: expect.stringMatching(/does not exist/) });
    rmSync(dir, { recursive: true, force: true });
  });

  it('falls back from prefer only on the right errors', () => {
    expect(isPreferFallbackError(new Error('The server does not support SSL connections'))).toBe(true);
    expect(isPreferFallbackError(dbError('28000', 'no pg_hba.conf entry for host "x", SSL encryption'))).toBe(true);
    expect(isPreferFallbackError(dbError('28P01', 'password authentication failed'))).toBe(false);
    expect(isPreferFallbackError(sysError('ECONNREFUSED'))).toBe(false);
  });
});

describe('pgpass', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hk-pgpass-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('splits with escapes and matches the first line, with wildcards', () => {
    expect(splitPgpassLine('h:5432:d:u:pa\\:ss\\\\x')).toEqual(['h', '5432', 'd', 'u', 'pa:ss\\x']);
    const content = ['# comment', 'other:5432:*:*:no', 'db:*:prefect:prefect:first', '*:*:*:prefect:second', ''].join('\n');
    expect(matchPgpass(content, { host: 'db', port: 5433, database: 'prefect', user: 'prefect' })).toBe('first');
    expect(matchPgpass(content, { host: 'x', port: 1, database: 'y', user: 'prefect' })).toBe('second');
    expect(matchPgpass(content, { host: 'x', port: 1, database: 'y', user: 'nobody' })).toBeNull();
    expect(matchPgpass('localhost:5432:d:u:sock', { host: '/var/run/postgresql', port: 5432, database: 'd', user: 'u' })).toBe('sock');
  });

  it('prefers PGPASSWORD, then the file; ignores a group-readable file', async () => {
    const q = { host: 'db', port: 5432, database: 'prefect', user: 'prefect' };
    expect(await lookupPassword(q, { env: { PGPASSWORD: 'fromenv' }, homedir: dir })).toBe('fromenv');
    const file = path.join(dir, '.pgpass');
    writeFileSync(file, 'db:5432:prefect:prefect:fromfile\n');
    chmodSync(file, 0o600);
    expect(await lookupPassword(q, { env: {}, homedir: dir })).toBe('fromfile');
    expect(await lookupPassword(q, { env: { PGPASSFILE: file }, homedir: '/nonexistent' })).toBe('fromfile');
    if (process.platform !== 'win32') {
      chmodSync(file, 0o644);
      expect(await lookupPassword(q, { env: {}, homedir: dir })).toBeNull();
    }
    expect(await lookupPassword(q, { env: {}, homedir: '/nonexistent' })).toBeNull();
  });
});
