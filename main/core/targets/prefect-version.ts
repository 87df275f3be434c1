/**
 * Prefect package versions ("3.9.1", "3.8.4.dev6", "3.6.16rc1", "3.9.1+12.gabcdef") compared the way
 * PEP 440 orders them, closely enough for feature gates: dev < pre-release (a/b/rc) < release < post.
 * Later features ask `versionAtLeast(v, '3.6.16')` (bulk endpoints) instead of sniffing endpoints.
 */
export interface PrefectVersion {
  release: number[];
  /** 0 dev, 1 alpha, 2 beta, 3 rc, 4 final, 5 post */
  phase: number;
  phaseNum: number;
  raw: string;
}

const PHASES: Record<string, number> = { dev: 0, a: 1, alpha: 1, b: 2, beta: 2, rc: 3, c: 3, pre: 3, post: 5 };

export function parsePrefectVersion(input: string): PrefectVersion | null {
  const raw = input.trim().replace(/^v/i, '');
  const m = /^(\d+(?:\.\d+)*)(?:[.-]?(dev|a|alpha|b|beta|rc|c|pre|post)\.?(\d*))?(?:\+.*)?$/i.exec(raw);
  if (!m || !m[1]) return null;
  const release = m[1].split('.').map(Number);
  const tag = m[2]?.toLowerCase();
  return { release, phase: tag ? (PHASES[tag] ?? 4) : 4, phaseNum: m[3] ? Number(m[3]) : 0, raw };
}

/** -1, 0 or 1; unparsable versions sort first (treated as oldest). */
export function compareVersions(a: string, b: string): number {
  const va = parsePrefectVersion(a);
  const vb = parsePrefectVersion(b);
  if (!va || !vb) return va ? 1 : vb ? -1 : 0;
  const n = Math.max(va.release.length, vb.release.length);
  for (let i = 0; i < n; i++) {
    const d = (va.release[i] ?? 0) - (vb.release[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (va.phase !== vb.phase) return Math.sign(va.phase - vb.phase);
  return Math.sign(va.phaseNum - vb.phaseNum);
}

export function versionAtLeast(version: string, minimum: string): boolean {
  return compareVersions(version, minimum) >= 0;
}

/** The oldest Prefect server Housekeeper supports. */
export const MIN_PREFECT_VERSION = '3.0.0';
