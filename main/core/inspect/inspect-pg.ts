/**
 * The Postgres inspection: one short read-only transaction per section, sections in parallel on a
 * small pool (5 connections, beside the Prefect server's own), each with its own statement timeout.
 * The server facts come first because every other section adapts to them (tables present in this
 * Prefect version, the role's rights, block size, autovacuum settings).
 */
import type { InspectReport, Maintenance, Orphans, RunHealth, Space } from '../../../shared/domain/inspect';
import { AppError } from '../../../shared/errors';
import type { PostgresTarget } from '../targets/postgres';
import { sampleOrphans } from './orphans-pg';
import { optional, preferIndexes } from './pg-util';
import { mergeRunHealth, readCountsPg, readScheduledPg } from './run-health-pg';
import type { ReportBuilder } from './sections';
import { readServerFacts, type PgServerFacts } from './server-pg';
import { readSpacePg } from './space-pg';
import { readMaintenancePg } from './vacuum-progress-pg';

export interface PgInspection {
  facts: PgServerFacts | null;
  space: Space | null;
  runs: RunHealth | null;
  maintenance: Maintenance | null;
}

export const SECTION_TIMEOUT_MS = { server: 10_000, space: 20_000, runs: 15_000, orphans: 10_000, maintenance: 5_000 };

/** `target` belongs to the caller (a cached pool, target-cache.ts); it is not closed here. */
export async function inspectPostgres(target: PostgresTarget, b: ReportBuilder, opts: { signal?: AbortSignal; now?: Date } = {}): Promise<PgInspection> {
  const signal = opts.signal;
  const now = opts.now ?? new Date();
  const facts = await b.run('server', async () => {
    const f = await target.readOnly(readServerFacts, { signal, statementTimeoutMs: SECTION_TIMEOUT_MS.server });
    const warnings: Array<string | { message: string; hint: string }> = [];
    const infos: Array<string | { message: string; hint: string }> = [];
    if (!f.tables.has('flow_run')) {
      warnings.push(`Database "${f.database}" (schema ${f.schema}) has no flow_run table: it is not a Prefect database, or Prefect uses another schema. Space is shown; run health is not.`);
    }
    if (!f.readAllStats) {
      infos.push({
        message: `Role ${f.user} is not in pg_monitor: autovacuum's progress and other sessions' activity are hidden from it.`,
        hint: `GRANT pg_monitor TO ${f.user}; (as a superuser) for the full picture.`,
      });
    }
    if (f.pgstattuple.usable) infos.push('pgstattuple is installed: exact measurements are available on demand.');
    else infos.push({ message: 'Exact measurement needs the pgstattuple extension, which Housekeeper never installs itself.', hint: f.pgstattuple.howTo ?? '' });
    return { value: f, warnings, infos };
  });
  if (!facts) {
    b.skipped(['space', 'runs', 'orphans', 'maintenance'], 'The server could not be read.');
    return { facts: null, space: null, runs: null, maintenance: null };
  }
  const prefect = facts.tables.has('flow_run');

  const spaceP = b.run('space', async () => {
    const r = await target.readOnly((q) => readSpacePg(q, facts, now), { signal, statementTimeoutMs: SECTION_TIMEOUT_MS.space });
    return { value: r.space as Space, warnings: r.notes };
  });
  const runsP = prefect
    ? b.run('runs', async () => {
        // Two transactions side by side: the counts and the pass over the SCHEDULED runs each take
        // most of the section's time, and they do not depend on each other.
        const opts = { signal, statementTimeoutMs: SECTION_TIMEOUT_MS.runs };
        const [counts, pass] = await Promise.all([
          target.readOnly(async (q) => {
            await preferIndexes(q);
            return readCountsPg(q, now);
          }, opts),
          target
            .readOnly(async (q) => {
              await preferIndexes(q);
              return readScheduledPg(q, facts);
            }, opts)
            .catch((e: unknown) => {
              if (e instanceof AppError && (e.code === 'CANCELLED' || e.code === 'PG_CONNECT')) throw e;
              return e instanceof Error ? e : new Error(String(e));
            }),
        ]);
        const passOk = !(pass instanceof Error);
        const warnings = [...counts.notes, ...(passOk ? pass.notes : [`The Late backlog and future runs could not be read: ${pass.message}`])];
        return { value: mergeRunHealth(counts, passOk ? pass : null), partial: counts.partial || !passOk, warnings };
      })
    : Promise.resolve(null);
  const orphansP = prefect
    ? b.run('orphans', async () => {
        const r = await target.readOnly(
          async (q) => {
            await preferIndexes(q);
            const warnings: string[] = [];
            const out: Pick<Orphans, 'logs' | 'artifacts'> = { logs: null, artifacts: null };
            for (const table of ['log', 'artifact'] as const) {
              if (!facts.tables.has(table)) continue;
              const s = await optional(q, `hk_orphan_${table}`, () => sampleOrphans(q, table));
              if (s.ok) out[table === 'log' ? 'logs' : 'artifacts'] = s.value;
              else warnings.push(`Orphaned ${table} rows could not be sampled: ${s.error.message}`);
            }
            return { out, warnings };
          },
          { signal, statementTimeoutMs: SECTION_TIMEOUT_MS.orphans },
        );
        return { value: r.out, partial: r.warnings.length > 0, warnings: r.warnings };
      })
    : Promise.resolve(null);
  const maintP = b.run('maintenance', async () => {
    const m = await target.readOnly((q) => readMaintenancePg(q, facts.readAllStats), { signal, statementTimeoutMs: SECTION_TIMEOUT_MS.maintenance });
    return { value: m, partial: !m.available };
  });
  if (!prefect) {
    b.unavailable('runs', 'Not a Prefect database.');
    b.unavailable('orphans', 'Not a Prefect database.');
  }
  const [space, runs, orphans, maintenance] = await Promise.all([spaceP, runsP, orphansP, maintP]);
  if (runs && orphans) runs.orphans = { ...runs.orphans, ...orphans };
  return { facts, space, runs, maintenance };
}

export function serverLine(facts: PgServerFacts | null): Pick<InspectReport['server'], 'database' | 'databaseUser' | 'migration'> {
  if (!facts) return { database: null, databaseUser: null, migration: null };
  return { database: `PostgreSQL ${facts.version.split(' ')[0]}`, databaseUser: facts.user, migration: facts.migration };
}
