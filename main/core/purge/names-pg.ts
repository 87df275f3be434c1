/**
 * Turns the names a person types (deployments as "flow/deployment", a unique deployment name, or an
 * id; work pools; work queues as "pool/queue" or a unique queue name) into ids. Unknown or ambiguous
 * names are refused with a suggestion, before anything is planned.
 */
import { AppError } from '../../../shared/errors';
import { didYouMean } from '../../../shared/text/did-you-mean';
import type { Query } from '../targets/postgres';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface DeploymentName {
  id: string;
  fullName: string;
  name: string;
}

export async function loadDeploymentNames(q: Query): Promise<Map<string, DeploymentName>> {
  const rows = await q<{ id: string; full_name: string; name: string }>(
    `SELECT d.id::text AS id, f.name || '/' || d.name AS full_name, d.name AS name
       FROM deployment d JOIN flow f ON f.id = d.flow_id`,
  );
  return new Map(rows.map((r) => [r.id, { id: r.id, fullName: r.full_name, name: r.name }]));
}

export function resolveDeployments(inputs: readonly string[], all: Map<string, DeploymentName>): string[] {
  const list = [...all.values()];
  return inputs.map((raw) => {
    if (UUID_RE.test(raw)) {
      if (all.has(raw.toLowerCase())) return raw.toLowerCase();
      // A run can outlive its deployment (no FK): allow purging by the id of a deleted deployment.
      return raw.toLowerCase();
    }
    const byFull = list.filter((d) => d.fullName === raw);
    if (byFull.length === 1) return byFull[0]!.id;
    const byName = list.filter((d) => d.name === raw);
    if (byName.length === 1) return byName[0]!.id;
    if (byName.length > 1) {
      throw new AppError('VALIDATION', `Several deployments are named "${raw}": ${byName.map((d) => d.fullName).join(', ')}.`, {
        hint: 'Use the full "flow/deployment" name.',
      });
    }
    throw new AppError('VALIDATION', `No deployment named "${raw}".${didYouMean(raw, list.map((d) => d.fullName))}`, {
      hint: 'Deployment names are "flow-name/deployment-name", as in `prefect deployment ls`.',
    });
  });
}

export async function resolveWorkQueues(q: Query, pools: readonly string[], queues: readonly string[]): Promise<string[]> {
  if (pools.length === 0 && queues.length === 0) return [];
  const rows = await q<{ id: string; queue: string; pool: string }>(
    `SELECT wq.id::text AS id, wq.name AS queue, wp.name AS pool
       FROM work_queue wq JOIN work_pool wp ON wp.id = wq.work_pool_id`,
  );
  const poolNames = [...new Set(rows.map((r) => r.pool))];
  for (const p of pools) {
    if (!poolNames.includes(p)) {
      throw new AppError('VALIDATION', `No work pool named "${p}".${didYouMean(p, poolNames)}`);
    }
  }
  let candidates = pools.length ? rows.filter((r) => pools.includes(r.pool)) : rows;
  if (queues.length) {
    const picked = queues.map((raw) => {
      const [pool, queue] = raw.includes('/') ? (raw.split('/', 2) as [string, string]) : [null, raw];
      const hits = candidates.filter((r) => r.queue === queue && (pool === null || r.pool === pool));
      if (hits.length === 0) {
        throw new AppError('VALIDATION', `No work queue named "${raw}"${pools.length ? ' in the given work pools' : ''}.${didYouMean(raw, candidates.map((r) => `${r.pool}/${r.queue}`))}`);
      }
      if (hits.length > 1 && pool === null) {
        throw new AppError('VALIDATION', `Several work pools have a queue named "${raw}": ${hits.map((h) => h.pool).join(', ')}.`, {
          hint: 'Use "pool/queue".',
        });
      }
      return hits;
    });
    candidates = picked.flat();
  }
  return candidates.map((r) => r.id);
}
