/** Per-deployment breakdown, oldest/newest and a sample, from the planned candidates (any backend). */
import type { PurgeDeploymentGroup, PurgeSampleRow } from '../../../shared/domain/purge';

export interface Candidate {
  id: string;
  deploymentId: string | null;
  name: string;
  stateName: string;
  scheduledStart: string | null;
  autoScheduled: boolean;
  workQueue: string | null;
  /** 1 = newest of its deployment. */
  rankNewest: number;
}

const SAMPLE_SIZE = 20;

export function summarise(
  candidates: readonly Candidate[],
  nameOf: (deploymentId: string | null) => { name: string; exists: boolean },
): { byDeployment: PurgeDeploymentGroup[]; sample: PurgeSampleRow[]; oldest: string | null; newest: string | null } {
  const groups = new Map<string, PurgeDeploymentGroup>();
  let oldest: string | null = null;
  let newest: string | null = null;
  for (const c of candidates) {
    const key = c.deploymentId ?? '';
    let g = groups.get(key);
    if (!g) {
      const n = nameOf(c.deploymentId);
      g = { deploymentId: c.deploymentId, name: n.name, exists: n.exists, count: 0, late: 0, oldest: null, newest: null };
      groups.set(key, g);
    }
    g.count++;
    if (c.stateName === 'Late') g.late++;
    if (c.scheduledStart) {
      if (!g.oldest || c.scheduledStart < g.oldest) g.oldest = c.scheduledStart;
      if (!g.newest || c.scheduledStart > g.newest) g.newest = c.scheduledStart;
      if (!oldest || c.scheduledStart < oldest) oldest = c.scheduledStart;
      if (!newest || c.scheduledStart > newest) newest = c.scheduledStart;
    }
  }
  const sample = candidates.slice(0, SAMPLE_SIZE).map((c) => ({
    id: c.id,
    name: c.name,
    deployment: nameOf(c.deploymentId).name,
    stateName: c.stateName,
    scheduledStart: c.scheduledStart,
    autoScheduled: c.autoScheduled,
    workQueue: c.workQueue,
  }));
  return { byDeployment: [...groups.values()].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name)), sample, oldest, newest };
}

/** Keep-newest applied, then the summary, with deployments named by "flow/deployment" (or as gone). */
export function selectAndSummarise(all: readonly Candidate[], keepNewest: number, fullNames: ReadonlyMap<string, string>) {
  const candidates = all.filter((c) => c.rankNewest > keepNewest);
  const summary = summarise(candidates, (id) => {
    const n = id ? fullNames.get(id) : undefined;
    return n ? { name: n, exists: true } : { name: id ? `deleted deployment ${id.slice(0, 8)}` : 'no deployment (manual run)', exists: false };
  });
  return { candidates, kept: all.length - candidates.length, ...summary };
}
