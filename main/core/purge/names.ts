/**
 * Turns the names a person types (deployments as "flow/deployment", a unique deployment name, or an
 * id; work pools; work queues as "pool/queue" or a unique queue name) into ids. Unknown or ambiguous
 * names are refused with a suggestion, before anything is planned. Pure: each backend (Postgres,
 * SQLite, API) loads the rows its own way and resolves them here.
 */
import { AppError } from '../../../shared/errors';
import { didYouMean } from '../../../shared/text/did-you-mean';
import type { Query } from '../targets/postgres';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface DeploymentName {
  id: string;
  /** "flow/deployment" */
  fullName: string;
  name: string;
}

export interface QueueRow {
  id: string;
  queue: string;
  pool: string;
}

export function resolveDeployments(inputs: readonly string[], all: readonly DeploymentName[]): string[] {
  return inputs.map((raw) => {
    // A run can outlive its deployment (no FK), so the id of a deleted deployment is accepted too.
    if (UUID_RE.test(raw)) return raw.toLowerCase();
    const byFull = all.filter((d) => d.fullName === raw);
    if (byFull.length === 1) return byFull[0]!.id;
    const byName = all.filter((d) => d.name === raw);
    if (byName.length === 1) return byName[0]!.id;
    if (byName.length > 1) {
      throw new AppError('VALIDATION', `Several deployments are named "${raw}": ${byName.map((d) => d.fullName).join(', ')}.`, {
        hint: 'Use the full "flow/deployment" name.',
      });
    }
    throw new AppError('VALIDATION', `No deployment named "${raw}".${didYouMean(raw, all.map((d) => d.fullName))}`, {
      hint: 'Deployment names are "flow-name/deployment-name", as in `prefect deployment ls`.',
    });
  });
}

export function resolveQueueIds(pools: readonly string[], queues: readonly string[], rows: readonly QueueRow[]): string[] {
  if (pools.length === 0 && queues.length === 0) return [];
  const poolNames = [...new Set(rows.map((r) => r.pool))];
  for (const p of pools) {
    if (!poolNames.includes(p)) throw new AppError('VALIDATION', `No work pool named "${p}".${didYouMean(p, poolNames)}`);
  }
  let candidates = pools.length ? rows.filter((r) => pools.includes(r.pool)) : [...rows];
  if (queues.length) {
    candidates = queues.flatMap((raw) => {
      const [pool, queue] = raw.includes('/') ? (raw.split('/', 2) as [string, string]) : [null, raw];
      const hits = candidates.filter((r) => r.queue === queue && (pool === null || r.pool === pool));
      if (hits.length === 0) {
        throw new AppError('VALIDATION', `No work queue named "${raw}"${pools.length ? ' in the given work pools' : ''}.${didYouMean(raw, candidates.map((r) => `${r.pool}/${r.queue}`))}`);
      }
      if (hits.length > 1 && pool === null) {
        throw new AppError('VALIDATION', `Several work pools have a queue named "${raw}": ${hits.map((h) => h.pool).join(', ')}.`, { hint: 'Use "pool/queue".' });
      }
      return hits;
    });
  }
  return candidates.map((r) => r.id);
}

export async function loadDeploymentNamesPg(q: Query): Promise<DeploymentName[]> {
  return q<DeploymentName>(`SELECT d.id::text AS id, f.name || '/' || d.name AS "fullName", d.name AS name FROM deployment d JOIN flow f ON f.id = d.flow_id`);
}

export async function loadQueuesPg(q: Query): Promise<QueueRow[]> {
  return q<QueueRow>(`SELECT wq.id::text AS id, wq.name AS queue, wp.name AS pool FROM work_queue wq JOIN work_pool wp ON wp.id = wq.work_pool_id`);
}
