/**
 * An audit entry in words: what kind of action it was, and its details as labelled facts (names,
 * counts, times with their zone, outcomes per deployment) instead of the stored JSON with opaque ids.
 * Known actions (connection.*, purge.*, schedules.*) get their own wording; anything else (an action
 * added later) falls back to one fact per detail key, still formatted. Pure, so it is unit-tested.
 */
import type { AuditEntry } from '../../../shared/domain/audit';
import { formatBytes, formatCount, formatDateTime, formatDuration, formatInt, formatList, plural } from '../../lib/format';

export interface Fact {
  label: string;
  value: string;
  /** Full value for a tooltip where the shown one is shortened. */
  title?: string;
}

export type ActivityKind = 'connections' | 'purge' | 'schedules' | 'inspect' | 'profiles' | 'other';

export const KIND_LABEL: Record<ActivityKind, string> = {
  connections: 'Connections',
  purge: 'Purge',
  schedules: 'Schedules',
  inspect: 'Inspect',
  profiles: 'Profiles',
  other: 'Other',
};

export function kindOf(action: string): ActivityKind {
  const head = action.split('.')[0] ?? '';
  if (head === 'connection' || head === 'connections') return 'connections';
  if (head === 'purge' || head === 'schedules' || head === 'inspect' || head === 'profiles') return head;
  return 'other';
}

const VERBS: Record<string, string> = {
  'connection.add': 'Connection added',
  'connection.edit': 'Connection edited',
  'connection.remove': 'Connection removed',
  'purge.plan': 'Purge planned',
  'purge.execute': 'Purge',
  'purge.vacuum': 'VACUUM after a purge',
};

/** "Purge planned", "Schedules: reset", "Schedules: recreate planned". */
export function actionLabel(action: string): string {
  if (VERBS[action]) return VERBS[action]!;
  const m = /^schedules\.([a-z-]+)(\.plan)?$/.exec(action);
  if (m) return `Schedules: ${m[1]}${m[2] ? ' planned' : ''}`;
  const words = action.replace(/[._-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const ISO = /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g;
const BARE_INT = /(?<![\w.,:/#-])\d{4,}(?![\w,:/-]|\.\d)/g;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Text written by older code (or the server) made readable in place: bare numbers get separators
 * ("1518" -> "1,518") and ISO times become local times with their zone.
 */
export function readableText(text: string): string {
  return text.replace(ISO, (iso) => (Number.isNaN(Date.parse(iso)) ? iso : formatDateTime(iso))).replace(BARE_INT, (n) => formatInt(Number(n)));
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const obj = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

function shortId(id: string): Fact['value'] {
  return UUID.test(id) ? id.slice(0, 8) : id;
}

function names(label: string, list: string[], none: string): Fact {
  if (list.length === 0) return { label, value: none };
  const shown = list.slice(0, 8);
  return { label, value: `${formatList(list.length > 8 ? [...shown, `${formatInt(list.length - 8)} more`] : shown)}`, title: list.join(', ') };
}

function purgePlanFacts(d: Record<string, unknown>): Fact[] {
  const f = obj(d.filter) ?? {};
  const impact = obj(d.impact) ?? {};
  const facts: Fact[] = [];
  const count = num(d.count);
  if (count !== null) facts.push({ label: 'Runs planned', value: formatCount(count) });
  if (str(d.cutoff)) facts.push({ label: 'Scheduled before', value: formatDateTime(str(d.cutoff)), title: str(d.cutoff)! });
  const states = strings(f.stateNames);
  if (states.length) facts.push({ label: 'States', value: formatList(states) });
  facts.push(names('Deployments', strings(f.deployments), 'all'));
  const pools = strings(f.workPools);
  const queues = strings(f.workQueues);
  const tags = strings(f.tags);
  if (pools.length) facts.push(names('Work pools', pools, 'all'));
  if (queues.length) facts.push(names('Work queues', queues, 'all'));
  if (tags.length) facts.push({ label: 'Tags (all of)', value: tags.join(', ') });
  const keep = num(f.keepNewest);
  if (keep) facts.push({ label: 'Kept', value: `the newest ${formatCount(keep)} per deployment` });
  if (typeof f.includeManual === 'boolean') facts.push({ label: 'Manual runs', value: f.includeManual ? 'included' : 'left alone' });
  const by = num(d.byDeployment);
  if (by !== null) facts.push({ label: 'Deployments with runs to delete', value: formatCount(by) });
  const rows: string[] = [];
  const add = (k: string, one: string, many?: string) => {
    const v = num(impact[k]);
    if (v !== null && v > 0) rows.push(plural(v, one, many));
  };
  add('flowRunStates', 'state');
  add('taskRuns', 'task run');
  add('taskRunStates', 'task run state');
  add('logs', 'log line');
  add('artifacts', 'artifact');
  add('flowRunInputs', 'run input');
  if (rows.length) facts.push({ label: 'With them', value: formatList(rows) });
  return facts;
}

function purgeExecuteFacts(d: Record<string, unknown>): Fact[] {
  const facts: Fact[] = [];
  const planned = num(d.planned);
  const deleted = num(d.deleted);
  if (deleted !== null) facts.push({ label: 'Deleted', value: planned !== null ? `${formatCount(deleted)} of ${plural(planned, 'planned run')}` : plural(deleted, 'run') });
  const skipped = num(d.skipped);
  if (skipped) facts.push({ label: 'Skipped', value: `${formatCount(skipped)} no longer stale (started or gone meanwhile)` });
  const busy = num(d.busy);
  if (busy) facts.push({ label: 'Left alone', value: `${formatCount(busy)} held locked by a worker` });
  const pending = num(d.pending);
  if (pending) facts.push({ label: 'Still to delete', value: `${formatCount(pending)} (the purge can be resumed)` });
  const logs = num(d.deletedLogs);
  const artifacts = num(d.deletedArtifacts);
  if (logs !== null || artifacts !== null) facts.push({ label: 'With them', value: formatList([plural(logs ?? 0, 'log line'), plural(artifacts ?? 0, 'artifact')]) });
  const batches = num(d.batches);
  if (batches !== null) facts.push({ label: 'Batches', value: `${formatCount(batches)}${num(d.p99BatchMs) !== null ? `, 99% within ${formatDuration(num(d.p99BatchMs))}` : ''}` });
  const remaining = num(d.remaining);
  if (remaining !== null) facts.push({ label: 'Still matching afterwards', value: formatCount(remaining) });
  if (str(d.exportedTo)) facts.push({ label: 'Deleted runs exported to', value: str(d.exportedTo)! });
  return facts;
}

/** "changed: a, b · rolled-back: c" from ["a: changed", "b: changed", "c: rolled-back"]. */
function byStatus(lines: string[]): string {
  const groups = new Map<string, string[]>();
  for (const l of lines) {
    const i = l.lastIndexOf(': ');
    const [name, status] = i > 0 ? [l.slice(0, i), l.slice(i + 2)] : [l, '?'];
    groups.set(status, [...(groups.get(status) ?? []), name]);
  }
  return [...groups].map(([status, ns]) => `${status} ${ns.length > 6 ? plural(ns.length, 'deployment') : formatList(ns)}`).join('; ');
}

function schedulesFacts(action: string, d: Record<string, unknown>): Fact[] {
  const facts: Fact[] = [];
  const deps = strings(d.deployments);
  if (action.endsWith('.plan')) {
    facts.push(names(`Deployments (${formatInt(deps.length)})`, deps, 'none'));
  } else if (deps.length) {
    facts.push({ label: `Deployments (${formatInt(deps.length)})`, value: byStatus(deps), title: deps.join('\n') });
  }
  if (str(d.status)) facts.push({ label: 'Ended', value: str(d.status)! });
  if (str(d.anchor)) facts.push({ label: 'New anchor', value: formatDateTime(str(d.anchor)), title: str(d.anchor)! });
  const purge = obj(d.purge);
  if (purge && num(purge.deleted) !== null) facts.push({ label: 'Past-due runs removed', value: `${formatCount(num(purge.deleted))} of ${formatCount(num(purge.planned))} planned` });
  const verify = strings(d.verify);
  if (verify.length) {
    const counts = new Map<string, number>();
    for (const v of verify) {
      const status = v.split(' ').pop() ?? '?';
      counts.set(status, (counts.get(status) ?? 0) + 1);
    }
    facts.push({ label: 'New runs checked', value: [...counts].map(([s, n]) => `${formatCount(n)} ${s}`).join(', '), title: verify.join('\n') });
  }
  if (str(d.restoresChangeId)) facts.push({ label: 'Restores change', value: shortId(str(d.restoresChangeId)!), title: str(d.restoresChangeId)! });
  return facts;
}

/** Any detail value as text: numbers with separators, times with their zone, ids shortened, lists joined. */
export function valueText(key: string, v: unknown): Fact['value'] {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return /bytes$/i.test(key) ? formatBytes(v) : /ms$/i.test(key) ? formatDuration(v) : formatCount(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') return UUID.test(v) ? shortId(v) : readableText(v);
  if (Array.isArray(v)) return v.length === 0 ? 'none' : formatList(v.map((x) => valueText(key, x)));
  const o = obj(v);
  if (o) return Object.entries(o).map(([k, x]) => `${humanKey(k)} ${valueText(k, x)}`).join(', ');
  return String(v);
}

/** "deletedLogs" -> "deleted logs", "plan_id" -> "plan id". */
export function humanKey(key: string): string {
  const words = key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_.-]+/g, ' ').toLowerCase().trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function genericFacts(d: Record<string, unknown>): Fact[] {
  return Object.entries(d)
    .filter(([k]) => k !== 'planId' && k !== 'jobId')
    .map(([k, v]) => ({ label: humanKey(k), value: valueText(k, v), ...(typeof v === 'string' ? { title: v } : {}) }));
}

/** The labelled facts of an entry's details, known actions first-class, the rest generic. */
export function describeDetails(e: Pick<AuditEntry, 'action' | 'details'>): Fact[] {
  const d = e.details;
  let facts: Fact[];
  if (e.action === 'purge.plan') facts = purgePlanFacts(d);
  else if (e.action === 'purge.execute') facts = purgeExecuteFacts(d);
  else if (e.action.startsWith('schedules.')) facts = schedulesFacts(e.action, d);
  else facts = genericFacts(d);
  const ids = [str(d.planId) && { label: 'Plan', value: shortId(str(d.planId)!), title: str(d.planId)! }, str(d.jobId) && { label: 'Job', value: shortId(str(d.jobId)!), title: str(d.jobId)! }].filter(Boolean) as Fact[];
  return [...facts, ...ids];
}

export type TimeWindow = 'hour' | 'day' | 'week' | 'month';
export const WINDOW_MS: Record<TimeWindow, number> = { hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000, month: 30 * 86_400_000 };
export const WINDOW_LABEL: Record<TimeWindow, string> = { hour: 'Last hour', day: 'Last 24 hours', week: 'Last 7 days', month: 'Last 30 days' };

export function within(at: string, window: TimeWindow, now: number = Date.now()): boolean {
  const t = Date.parse(at);
  return !Number.isNaN(t) && now - t <= WINDOW_MS[window];
}
