/**
 * Recognising a Prefect database, for Postgres and SQLite alike: Prefect's schema is managed by alembic,
 * so a Prefect database has `alembic_version` (one row, the migration id) and `flow_run`.
 */
import { AppError } from '../../../shared/errors';
import type { PostgresTarget } from '../targets/postgres';
import type { SqliteTarget } from '../targets/sqlite';

export interface PrefectDbInfo {
  hasAlembic: boolean;
  hasFlowRun: boolean;
  migration: string | null;
}

export type DbHandle = { kind: 'postgres'; pg: PostgresTarget } | { kind: 'sqlite'; sqlite: SqliteTarget };

export async function prefectDbInfo(db: DbHandle, signal?: AbortSignal): Promise<PrefectDbInfo> {
  if (db.kind === 'postgres') {
    return db.pg.readOnly(
      async (q) => {
        const [t] = await q<{ alembic: boolean; flow_run: boolean }>(
          `SELECT to_regclass('alembic_version') IS NOT NULL AS alembic, to_regclass('flow_run') IS NOT NULL AS flow_run`,
        );
        let migration: string | null = null;
        if (t?.alembic) {
          const rows = await q<{ version_num: string }>('SELECT version_num FROM alembic_version');
          migration = rows[0]?.version_num ?? null;
        }
        return { hasAlembic: t?.alembic === true, hasFlowRun: t?.flow_run === true, migration };
      },
      { signal },
    );
  }
  return db.sqlite.readOnly((d) => {
    const names = new Set(
      (d.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('alembic_version', 'flow_run')`).all() as { name: string }[]).map((r) => r.name),
    );
    const migration = names.has('alembic_version')
      ? ((d.prepare('SELECT version_num FROM alembic_version').get() as { version_num: string } | undefined)?.version_num ?? null)
      : null;
    return { hasAlembic: names.has('alembic_version'), hasFlowRun: names.has('flow_run'), migration };
  });
}

/** Which of `ids` exist in `table` (deployment or flow). */
export async function existingIds(db: DbHandle, table: 'deployment' | 'flow', ids: string[], signal?: AbortSignal): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  if (db.kind === 'postgres') {
    // The table name is one of two literals chosen above, never input.
    const sql = table === 'deployment' ? 'SELECT id::text AS id FROM deployment WHERE id = ANY($1::uuid[])' : 'SELECT id::text AS id FROM flow WHERE id = ANY($1::uuid[])';
    const rows = await db.pg.readOnly((q) => q<{ id: string }>(sql, [ids]), { signal });
    return new Set(rows.map((r) => r.id.toLowerCase()));
  }
  const sql =
    table === 'deployment'
      ? 'SELECT id FROM deployment WHERE id IN (SELECT value FROM json_each(?))'
      : 'SELECT id FROM flow WHERE id IN (SELECT value FROM json_each(?))';
  const rows = db.sqlite.readOnly((d) => d.prepare(sql).all(JSON.stringify(ids)) as { id: string }[]);
  return new Set(rows.map((r) => String(r.id).toLowerCase()));
}

export async function countDeploymentsAndFlows(db: DbHandle, signal?: AbortSignal): Promise<{ deployments: number; flows: number }> {
  const sql = 'SELECT (SELECT count(*) FROM deployment) AS deployments, (SELECT count(*) FROM flow) AS flows';
  if (db.kind === 'postgres') {
    const [r] = await db.pg.readOnly((q) => q<{ deployments: number; flows: number }>(sql), { signal });
    if (!r) throw new AppError('INTERNAL', 'Counting deployments returned nothing.');
    return { deployments: Number(r.deployments), flows: Number(r.flows) };
  }
  const r = db.sqlite.readOnly((d) => d.prepare(sql).get() as { deployments: number; flows: number });
  return { deployments: Number(r.deployments), flows: Number(r.flows) };
}
