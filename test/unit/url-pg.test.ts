import { describe, expect, it } from 'vitest';
import { formatPostgresUrl, parseDatabaseUrl, parsePostgresUrl, parseSqliteUrl } from '../../shared/domain/pg-url';

function pg(input: string) {
  const r = parsePostgresUrl(input);
  if (!r.ok) throw new Error(`expected ok for ${input}: ${r.error.message}`);
  return r.value;
}
function pgBad(input: string) {
  const r = parsePostgresUrl(input);
  if (r.ok) throw new Error(`expected an error for ${input}`);
  expect(r.error.code).toBe('VALIDATION');
  return r.error;
}

describe('parsePostgresUrl', () => {
  it('reads Prefect\'s asyncpg URL', () => {
    const v = pg('postgresql+asyncpg://prefect:s3cret@db.internal:5433/prefect');
    expect(v.fields).toEqual({ host: 'db.internal', port: 5433, database: 'prefect', user: 'prefect', sslmode: 'prefer' });
    expect(v.password).toBe('s3cret');
    expect(v.driver).toBe('asyncpg');
  });

  it('reads libpq forms, defaults the port and decodes percent-encoding', () => {
    const v = pg('postgres://app%40corp:p%40ss%3Aw%2Frd@localhost/my%20db');
    expect(v.fields).toMatchObject({ host: 'localhost', port: 5432, database: 'my db', user: 'app@corp' });
    expect(v.password).toBe('p@ss:w/rd');
    expect(pg('postgresql://u@h/d').password).toBeNull();
    expect(pg('POSTGRESQL://u@h:1/d').fields.port).toBe(1);
  });

  it('understands sslmode, ssl=require, sslrootcert', () => {
    expect(pg('postgresql://u@h/d?sslmode=verify-full&sslrootcert=/etc/ca.pem').fields).toMatchObject({ sslmode: 'verify-full', caFile: '/etc/ca.pem' });
    expect(pg('postgresql+asyncpg://u@h/d?ssl=require').fields.sslmode).toBe('require');
    expect(pg('postgresql+asyncpg://u@h/d?ssl=true').fields.sslmode).toBe('require');
    expect(pg('postgresql://u@h/d?sslmode=disable').fields.sslmode).toBe('disable');
    const allow = pg('postgresql://u@h/d?sslmode=allow');
    expect(allow.fields.sslmode).toBe('prefer');
    expect(allow.notes.join(' ')).toMatch(/allow/);
    expect(pgBad('postgresql://u@h/d?sslmode=sometimes').message).toMatch(/Unknown sslmode "sometimes"/);
  });

  it('handles IPv6, socket hosts and query-parameter parts', () => {
    expect(pg('postgresql://u@[::1]:6543/d').fields).toMatchObject({ host: '::1', port: 6543 });
    expect(pg('postgresql://u@%2Fvar%2Frun%2Fpostgresql/d').fields.host).toBe('/var/run/postgresql');
    const q = pg('postgresql:///prefect?host=/tmp&user=me&port=5499&password=pw');
    expect(q.fields).toMatchObject({ host: '/tmp', user: 'me', port: 5499, database: 'prefect' });
    expect(q.password).toBe('pw');
  });

  it('fills what Postgres clients default, with a note', () => {
    const v = pg('postgresql://prefect@db');
    expect(v.fields.database).toBe('prefect');
    expect(v.notes.join(' ')).toMatch(/no database/);
    const noHost = pg('postgresql://u@/d');
    expect(noHost.fields.host).toBe('localhost');
  });

  it('gives clear errors for malformed input', () => {
    expect(pgBad('postgresql://u:p@h:port/d').message).toMatch(/port "port"/);
    expect(pgBad('postgresql://u:p@h:70000/d').message).toMatch(/between 1 and 65535/);
    expect(pgBad('postgresql://h/d').message).toMatch(/names no user/);
    expect(pgBad('postgresql://u:p%zz@h/d').message).toMatch(/malformed percent-encoding/);
    expect(pgBad('postgresql://u@h1:5432,h2:5432/d').message).toMatch(/several hosts/);
    const at = pgBad('postgresql://u:p@ss@h/d');
    expect(at.message).toMatch(/unencoded "@"/);
    expect(at.hint).toMatch(/%40/);
    expect(pgBad('mysql://u@h/d').message).toMatch(/not a PostgreSQL/);
  });

  it('never puts the password into an error', () => {
    for (const input of ['postgresql://u:topsecret1@h:bad/d', 'postgresql://u:topsecret1@h/d?sslmode=nope', 'postgresql://u:topsecret1%@h/d']) {
      const r = parsePostgresUrl(input);
      expect(r.ok).toBe(false);
      expect(JSON.stringify(r)).not.toContain('topsecret1');
    }
  });
});

describe('parseSqliteUrl / parseDatabaseUrl', () => {
  it('reads Prefect\'s default SQLite URL (four slashes: absolute)', () => {
    const r = parseSqliteUrl('sqlite+aiosqlite:////home/me/.prefect/prefect.db');
    expect(r).toEqual({ ok: true, value: { kind: 'sqlite', path: '/home/me/.prefect/prefect.db', notes: [] } });
  });

  it('reads relative paths with a note, decodes like SQLAlchemy, drops the query', () => {
    const r = parseSqliteUrl('sqlite:///data/my%20prefect.db?mode=ro');
    expect(r.ok && r.value.path).toBe('data/my prefect.db');
    expect(r.ok && r.value.notes.join(' ')).toMatch(/relative.*query string|query string.*relative/s);
  });

  it('rejects in-memory and host-ful SQLite URLs', () => {
    for (const input of ['sqlite://', 'sqlite:///:memory:', 'sqlite+aiosqlite://host/file.db']) {
      const r = parseSqliteUrl(input);
      expect(r.ok).toBe(false);
    }
  });

  it('dispatches on the scheme and accepts bare file paths', () => {
    const a = parseDatabaseUrl('postgresql+asyncpg://u:p@h/d');
    expect(a.ok && a.value.kind).toBe('postgres');
    const b = parseDatabaseUrl('sqlite:////x/prefect.db');
    expect(b.ok && b.value.kind).toBe('sqlite');
    for (const p of ['/var/lib/prefect/prefect.db', './prefect.db', '~/.prefect/prefect.db', 'prefect.sqlite']) {
      const r = parseDatabaseUrl(p);
      expect(r.ok && r.value.kind === 'sqlite' && r.value.path).toBe(p);
    }
    const bad = parseDatabaseUrl('db.example.com:5432');
    expect(bad.ok).toBe(false);
    const mysql = parseDatabaseUrl('mysql://u@h/d');
    expect(!mysql.ok && mysql.error.message).toMatch(/PostgreSQL or SQLite/);
    const empty = parseDatabaseUrl('  ');
    expect(!empty.ok && empty.error.message).toMatch(/empty/);
  });
});

describe('formatPostgresUrl', () => {
  it('formats a display URL without the password', () => {
    const fields = { host: 'db', port: 5432, database: 'prefect db', user: 'pre@fect', sslmode: 'prefer' as const };
    expect(formatPostgresUrl(fields)).toBe('postgresql://pre%40fect@db:5432/prefect%20db');
    expect(formatPostgresUrl({ ...fields, sslmode: 'verify-full', caFile: '/ca.pem' }, { maskPassword: true })).toBe(
      'postgresql://pre%40fect:***@db:5432/prefect%20db?sslmode=verify-full&sslrootcert=%2Fca.pem',
    );
    expect(formatPostgresUrl({ ...fields, host: '::1' })).toContain('@[::1]:5432/');
  });

  it('round-trips through the parser', () => {
    const fields = { host: 'h', port: 6000, database: 'd/b', user: 'u:x', sslmode: 'require' as const };
    const r = parsePostgresUrl(formatPostgresUrl(fields));
    expect(r.ok && r.value.fields).toEqual(fields);
  });
});
