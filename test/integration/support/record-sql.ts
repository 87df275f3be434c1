/**
 * Records every statement the code under test sends through PostgresTarget (readOnly, write, query),
 * with its parameters and the transaction kind, so a test can assert properties of what actually ran
 * (all of it read-only; no sequential scan of the big tables) instead of a hand-kept list.
 */
import { vi } from 'vitest';
import { PostgresTarget, type Query, type RunOptions } from '../../../main/core/targets/postgres';

export interface RecordedStatement {
  sql: string;
  params: readonly unknown[];
  mode: 'READ ONLY' | 'READ WRITE' | 'autocommit';
  /** The transaction's enable_seqscan as set by the code (via set_config) when the statement ran. */
  seqscanOff: boolean;
}

export function recordStatements(): { statements: RecordedStatement[]; restore: () => void } {
  const statements: RecordedStatement[] = [];
  const wrap = (q: Query, mode: RecordedStatement['mode']): Query => {
    let seqscanOff = false;
    const note = (sql: string, params?: readonly unknown[]) => {
      if (/set_config\('enable_seqscan', 'off'/.test(sql)) seqscanOff = true;
      statements.push({ sql, params: params ?? [], mode, seqscanOff });
    };
    const w = (<T extends object>(sql: string, params?: readonly unknown[]) => {
      note(sql, params);
      return q<T>(sql, params);
    }) as Query;
    w.result = <T extends object>(sql: string, params?: readonly unknown[]) => {
      note(sql, params);
      return q.result<T>(sql, params);
    };
    return w;
  };
  const ro = PostgresTarget.prototype.readOnly;
  const rw = PostgresTarget.prototype.write;
  const one = PostgresTarget.prototype.query;
  const s1 = vi.spyOn(PostgresTarget.prototype, 'readOnly').mockImplementation(function <T>(this: PostgresTarget, fn: (q: Query) => Promise<T>, opts?: RunOptions) {
    return ro.call(this, (q: Query) => fn(wrap(q, 'READ ONLY')), opts) as Promise<T>;
  });
  const s2 = vi.spyOn(PostgresTarget.prototype, 'write').mockImplementation(function <T>(this: PostgresTarget, fn: (q: Query) => Promise<T>, opts?: RunOptions) {
    return rw.call(this, (q: Query) => fn(wrap(q, 'READ WRITE')), opts) as Promise<T>;
  });
  const s3 = vi.spyOn(PostgresTarget.prototype, 'query').mockImplementation(function (this: PostgresTarget, sql: string, params?: readonly unknown[], opts?: { signal?: AbortSignal; statementTimeoutMs?: number }) {
    statements.push({ sql, params: params ?? [], mode: 'autocommit', seqscanOff: false });
    return one.call(this, sql, params, opts);
  } as typeof PostgresTarget.prototype.query);
  return {
    statements,
    restore: () => {
      s1.mockRestore();
      s2.mockRestore();
      s3.mockRestore();
    },
  };
}

/** Statements that read one of the named tables (word match on the SQL text). */
export function touching(statements: RecordedStatement[], tables: string[]): RecordedStatement[] {
  const re = new RegExp(`\\b(FROM|JOIN)\\s+(${tables.join('|')})\\b`, 'i');
  return statements.filter((s) => re.test(s.sql));
}
