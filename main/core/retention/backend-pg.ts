/**
 * Retention on Postgres: the plan (plan-pg.ts) and the execution's phases, in Prefect's order
 * (runs with everything that is theirs, then orphans, then event_resources before events), each a
 * walk through the index the catalog says exists (indexes-pg.ts).
 */
import { AppError } from '../../../shared/errors';
import type { ResolvedConnection } from '../connections/types';
import { serverNowPg } from '../purge/plan-pg';
import { PostgresTarget } from '../targets/postgres';
import type { RetentionPendingBatch } from '../../store/repos/retention';
import { eventsStepPg } from './events-pg';
import { planIndexes, readIndexes } from './indexes-pg';
import { orphansStepPg } from './orphans-pg';
import { planPg, type PgPlanInput, type SqlRetentionPlan } from './plan-pg';
import { Params, topLevelPg } from './predicate-pg';
import { retryStepPg, runsStepPg } from './runs-pg';
import type { ResolvedRetention, RetentionExecution, Step } from './types';

type PgDb = Extract<ResolvedConnection['db'], { kind: 'postgres' }>;

export interface PgRetentionBackend {
  serverNow(signal?: AbortSignal): Promise<Date>;
  plan(input: PgPlanInput, signal?: AbortSignal): Promise<SqlRetentionPlan>;
  execution(r: ResolvedRetention, keep: readonly string[]): Promise<RetentionExecution>;
  close(): Promise<void>;
}

/** Lock waits, deadlocks, serialization failures, timeouts and lost connections (not logins): retry smaller. */
export function isTransientPg(e: unknown): boolean {
  if (!(e instanceof AppError)) return false;
  const state = typeof e.details?.sqlstate === 'string' ? e.details.sqlstate : '';
  if (e.code === 'PG_CONNECT') return !/^(28|3D)/.test(state);
  return state === '55P03' || state === '40P01' || state === '40001' || (state === '57014' && e.code !== 'CANCELLED');
}

export function openPgRetention(db: PgDb): PgRetentionBackend {
  // A small pool: batches run one at a time; the second connection serves settle and recount.
  const target = new PostgresTarget(db, { applicationName: 'housekeeper-retention', maxConnections: 2 });
  const versionNum = async (signal?: AbortSignal) => (await target.serverInfo(signal ? { signal } : {})).versionNum;
  return {
    serverNow: (signal) => serverNowPg(target, signal),
    async plan(input, signal) {
      return planPg(target, input, await versionNum(signal), signal);
    },
    async execution(r, keep) {
      const idx = planIndexes(await target.readOnly((q) => readIndexes(q)), await versionNum());
      const steps: Step[] = [runsStepPg(target, r, keep), retryStepPg(target, r, keep)];
      if (r.orphans) {
        if (idx.logByRun) steps.push(orphansStepPg(target, 'log'));
        if (idx.artifactByRun) steps.push(orphansStepPg(target, 'artifact'));
      }
      if (r.eventsCutoff) {
        if (idx.eventResources !== 'none') steps.push(eventsStepPg(target, 'event_resources', idx.eventResources, r.eventsCutoff));
        if (idx.events !== 'none') steps.push(eventsStepPg(target, 'events', idx.events, r.eventsCutoff));
      }
      return {
        steps,
        async committed(pb: RetentionPendingBatch, signal) {
          if (pb.xid) {
            // A killed client's transaction stays "in progress" until the server notices the socket
            // closed (or idle_in_transaction_session_timeout ends it): wait for the verdict.
            for (let i = 0; i < 90; i++) {
              const [row] = await target.query<{ s: string | null }>('SELECT txid_status($1::bigint) AS s', [pb.xid], { signal });
              if (row?.s === 'committed') return true;
              if (row?.s === 'aborted') return false;
              if (row?.s !== 'in progress') break;
              await new Promise((res) => setTimeout(res, 1000));
            }
          }
          // No verdict (a wrapped-around xid): the batch deleted all of its victims or none.
          if (pb.victims.length && (pb.phase === 'runs' || pb.phase === 'retry')) {
            const [row] = await target.query<{ n: number }>('SELECT count(*) AS n FROM flow_run WHERE id = ANY($1::uuid[])', [pb.victims], { signal });
            return Number(row?.n ?? 0) === 0;
          }
          return false;
        },
        async recount(signal) {
          const ps = new Params();
          const pred = topLevelPg(r, ps, keep);
          const runs = await target
            .readOnly((q) => q<{ n: number }>(`SELECT count(*) AS n FROM flow_run fr WHERE ${pred}`, ps.values), { signal, statementTimeoutMs: 60_000 })
            .then((rows) => Number(rows[0]?.n ?? 0))
            .catch(() => null);
          const events =
            r.eventsCutoff && idx.events !== 'blocks' && idx.events !== 'none'
              ? await target
                  .readOnly((q) => q<{ n: number }>('SELECT count(*) AS n FROM events WHERE occurred < $1::timestamptz', [r.eventsCutoff]), { signal, statementTimeoutMs: 60_000 })
                  .then((rows) => Number(rows[0]?.n ?? 0))
                  .catch(() => null)
              : null;
          return { runs, events };
        },
        isTransient: isTransientPg,
        close: async () => undefined,
      };
    },
    close: () => target.close(),
  };
}
