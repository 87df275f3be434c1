/**
 * Prefect's releases as the package index lists them: which 3.x versions exist, when each was
 * uploaded, and which one is the newest patch of a minor line ("3.4" -> "3.4.25").
 *
 * One request to the index's JSON simple API (PEP 691/700: every file with its `upload-time`) answers
 * all of it. The answer is kept in `.cache/prefect-releases.json` for 12 hours, so a matrix run asks
 * the index once, and an offline machine keeps working from the last answer (with a warning) instead
 * of failing: a line then resolves to the newest patch known at that time.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CACHE_FILE = path.join(REPO_ROOT, '.cache', 'prefect-releases.json');
const CACHE_TTL_MS = 12 * 3600 * 1000;

export interface PrefectRelease {
  /** "3.4.25" (final releases only: no dev, rc, post). */
  version: string;
  /** Upload time of its wheel (ISO). */
  uploadTime: string;
}

interface CacheFile {
  fetchedAt: string;
  indexUrl: string;
  releases: PrefectRelease[];
}

export function indexUrl(): string {
  return (process.env.PIP_INDEX_URL ?? 'https://pypi.org/simple').replace(/\/+$/, '');
}

const FINAL = /^prefect-(3\.\d+\.\d+)-py3-none-any\.whl$/;

/** Numeric compare of "3.4.25"-style versions. */
export function compareRelease(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

async function fromIndex(): Promise<PrefectRelease[]> {
  const url = `${indexUrl()}/prefect/`;
  const res = await fetch(url, { headers: { accept: 'application/vnd.pypi.simple.v1+json' }, signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`the package index answered ${res.status} for ${url}`);
  const body = (await res.json()) as { files?: { filename: string; 'upload-time'?: string; yanked?: unknown }[] };
  const out: PrefectRelease[] = [];
  for (const f of body.files ?? []) {
    const m = FINAL.exec(f.filename);
    if (!m || !m[1]) continue;
    if (f.yanked) continue;
    if (!f['upload-time']) throw new Error(`the package index at ${url} gives no upload times, so old releases cannot be resolved reproducibly`);
    out.push({ version: m[1], uploadTime: f['upload-time'] });
  }
  if (out.length === 0) throw new Error(`the package index at ${url} lists no Prefect 3 release`);
  return out.sort((a, b) => compareRelease(a.version, b.version));
}

let memo: Promise<PrefectRelease[]> | null = null;

/** Every final Prefect 3 release, oldest first (cached, see above). */
export function prefectReleases(): Promise<PrefectRelease[]> {
  memo ??= (async () => {
    const cached = await readFile(CACHE_FILE, 'utf8')
      .then((t) => JSON.parse(t) as CacheFile)
      .catch(() => null);
    const fresh = cached && cached.indexUrl === indexUrl() && Date.now() - Date.parse(cached.fetchedAt) < CACHE_TTL_MS;
    if (cached && fresh) return cached.releases;
    try {
      const releases = await fromIndex();
      await mkdir(path.dirname(CACHE_FILE), { recursive: true });
      const tmp = `${CACHE_FILE}.${process.pid}.tmp`;
      await writeFile(tmp, `${JSON.stringify({ fetchedAt: new Date().toISOString(), indexUrl: indexUrl(), releases } satisfies CacheFile, null, 1)}\n`);
      await rename(tmp, CACHE_FILE);
      return releases;
    } catch (err) {
      if (cached && cached.indexUrl === indexUrl()) {
        process.stderr.write(`[harness:releases] the package index is not reachable (${String(err)}); using its answer from ${cached.fetchedAt}\n`);
        return cached.releases;
      }
      throw new Error(`cannot list Prefect releases from ${indexUrl()}/prefect/ (${String(err)}); it is needed once per Prefect version`);
    }
  })().catch((e: unknown) => {
    memo = null;
    throw e;
  });
  return memo;
}

/** "3.4" style: a minor line rather than one release. */
export function isMinorLine(spec: string): boolean {
  return /^3\.\d+$/.test(spec.trim());
}

/**
 * An exact release for `spec`: "3.4.25" stays itself (it must exist on the index), "3.4" becomes the
 * newest final 3.4.x on the index.
 */
export async function resolveRelease(spec: string): Promise<PrefectRelease> {
  const s = spec.trim();
  const releases = await prefectReleases();
  if (isMinorLine(s)) {
    const hits = releases.filter((r) => r.version.startsWith(`${s}.`));
    const newest = hits[hits.length - 1];
    if (!newest) throw new Error(`PREFECT_VERSION=${s}: the package index has no final release of Prefect ${s}.x`);
    return newest;
  }
  const hit = releases.find((r) => r.version === s);
  if (!hit) throw new Error(`PREFECT_VERSION=${s} is not a released Prefect 3 version on ${indexUrl()} (use e.g. 3.4.25, or a minor line like 3.4)`);
  return hit;
}

/** The minor lines ("3.0" ... newest) with their newest patch, oldest first. */
export async function prefectLines(): Promise<Array<{ line: string; version: string }>> {
  const newest = new Map<string, string>();
  for (const r of await prefectReleases()) newest.set(r.version.split('.').slice(0, 2).join('.'), r.version);
  return [...newest].map(([line, version]) => ({ line, version })).sort((a, b) => compareRelease(a.line, b.line));
}
