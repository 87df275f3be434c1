/** Which deployments a request means: ids, "flow/deployment", or a unique deployment name; empty = all. */
import { AppError } from '../../../shared/errors';
import { didYouMean } from '../../../shared/text/did-you-mean';
import type { DeploymentInfo } from './api';

export function selectDeployments(all: DeploymentInfo[], wanted: readonly string[]): DeploymentInfo[] {
  if (wanted.length === 0) return all;
  const picked = new Map<string, DeploymentInfo>();
  const unknown: string[] = [];
  for (const raw of wanted) {
    const w = raw.trim();
    const byId = all.find((d) => d.id === w.toLowerCase());
    const byFull = all.filter((d) => d.fullName === w);
    const byName = all.filter((d) => d.name === w);
    if (byId) picked.set(byId.id, byId);
    else if (byFull.length === 1) picked.set(byFull[0]!.id, byFull[0]!);
    else if (byName.length === 1) picked.set(byName[0]!.id, byName[0]!);
    else if (byName.length > 1) {
      throw new AppError('VALIDATION', `Several deployments are named "${w}": ${byName.map((d) => d.fullName).join(', ')}.`, { hint: 'Use the full "flow/deployment" name.' });
    } else unknown.push(w);
  }
  if (unknown.length) {
    const names = all.map((d) => d.fullName);
    throw new AppError('NOT_FOUND', `No deployment named ${unknown.map((u) => `"${u}"`).join(', ')} on this server.${unknown.length === 1 ? didYouMean(unknown[0]!, names) : ''}`, {
      hint: 'List them with `housekeeper schedules list`.',
      details: { unknown },
    });
  }
  return [...picked.values()];
}
