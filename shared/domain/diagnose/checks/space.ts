/**
 * The database (PostgreSQL): tables that only a rewrite shrinks, autovacuum falling behind on the
 * tables Prefect writes all the time, and transaction ID age. The numbers are Inspect's (catalog
 * statistics, the bloat estimate with its confidence, pgstattuple when measured).
 */
import type { PostgresSpace, TableSpace } from '../../inspect';
import { formatBytes } from '../../../text/bytes';
import type { Evidence } from '../evidence';
import type { Action } from '../types';
import { ageText, n, SRC, unavailable, type CheckDef, type CheckResult } from './common';

/** The tables Prefect writes on every run (and the ones whose bloat users report). */
export const HOT_TABLES = ['flow_run', 'flow_run_state', 'task_run', 'task_run_state', 'log', 'events', 'event_resources', 'artifact'] as const;
/** What Housekeeper's VACUUM step may run on (fixed identifiers, never input). */
export const VACUUM_TABLES = ['flow_run', 'flow_run_state', 'task_run', 'task_run_state', 'log', 'artifact', 'flow_run_input', 'events', 'event_resources'] as const;
const hot = new Set<string>(HOT_TABLES);
const vacuumable = new Set<string>(VACUUM_TABLES);

/** Transaction IDs wrap at 2^31; Postgres refuses writes a few million before. */
export const XID_WRAP = 2_147_483_647;

function pgSpace(e: Evidence): PostgresSpace | CheckResult {
  if (e.database !== 'postgres') {
    return { status: 'unavailable', note: e.database === 'sqlite' ? 'A PostgreSQL check: SQLite has no autovacuum or transaction ID age.' : 'Needs database access (the API does not report table sizes).' };
  }
  const un = unavailable(e, ['space']);
  if (un) return un;
  const s = e.report?.space;
  if (!s || s.kind !== 'postgres') return { status: 'unavailable', note: 'The space section of the inspection could not be read.' };
  return s;
}

const isResult = (x: PostgresSpace | CheckResult): x is CheckResult => 'status' in x;

export const rewriteCheck: CheckDef = {
  id: 'space.rewrite-needed',
  title: 'flow_run_state, log, events and the other hot tables: space only a rewrite gives back',
  run(e) {
    const s = pgSpace(e);
    if (isResult(s)) return s;
    const tables = s.tables.filter((t) => hot.has(t.name) && t.verdict.kind === 'rewrite');
    if (tables.length === 0) {
      const unsure = s.tables.filter((t) => hot.has(t.name) && t.verdict.kind === 'unknown').map((t) => t.name);
      return { status: 'clear', note: `No hot table is at least half free space and 64 MiB over${unsure.length ? ` (not estimable: ${unsure.join(', ')})` : ''}.` };
    }
    const reclaim = (t: TableSpace) => t.exact?.reclaimableBytes ?? t.bloat.reclaimableBytes ?? 0;
    const total = tables.reduce((a, t) => a + reclaim(t), 0);
    const size = tables.reduce((a, t) => a + t.totalBytes, 0);
    const names = tables.map((t) => t.name);
    const plain = names.filter((t) => vacuumable.has(t));
    const actions: Action[] = [];
    if (plain.length) actions.push({ kind: 'vacuum', title: `VACUUM (ANALYZE) ${names.join(', ')}: the free space is reused for new rows (the files do not shrink)`, tables: plain, freeze: false });
    actions.push({
      kind: 'manual',
      title: 'Rewrite the tables to give the space back',
      text: 'Only a rewrite shrinks the files. pg_repack does it online (it needs the extension on the server and brief locks at the start and end); VACUUM FULL takes an ACCESS EXCLUSIVE lock, so the Prefect server waits for the whole rewrite. Run it in a quiet hour.',
      command: `pg_repack --dbname=${s.databaseName} ${names.map((t) => `--table=${t}`).join(' ')}   # or: VACUUM FULL ${names.join(', ')};`,
    });
    return {
      status: 'raised',
      finding: {
        id: 'space.rewrite-needed',
        severity: total >= 1024 ** 3 ? 'high' : 'medium',
        magnitude: Math.min(1, total / (50 * 1024 ** 3)),
        title: `${names.join(', ')}: ${formatBytes(total)} of ${formatBytes(size)} is free space only a rewrite gives back`,
        measured: tables.flatMap((t) => [
          { label: `${t.name} size (heap, indexes, TOAST)`, value: t.totalBytes, unit: 'bytes' as const, source: SRC.tables, exact: true },
          {
            label: `${t.name} reclaimable by a rewrite${t.exact ? '' : ` (confidence ${t.bloat.confidence.level}${t.bloat.confidence.margin !== null ? `, ±${Math.round(t.bloat.confidence.margin * 100)} %` : ''})`}`,
            value: reclaim(t),
            unit: 'bytes' as const,
            source: t.exact ? SRC.exact : SRC.bloat,
            exact: !!t.exact,
          },
        ]),
        why: 'Deleted and updated rows leave free space inside the table files; VACUUM makes it reusable but never returns it, so scans, the buffer cache and backups still carry the old size until the table is rewritten.',
        refs: ['PostgreSQL: VACUUM vs VACUUM FULL', 'PrefectHQ/prefect#22839'],
        actions,
        effect: tables.map((t) => ({ label: `${t.name} size`, before: t.totalBytes, after: Math.max(0, t.totalBytes - reclaim(t)), unit: 'bytes' as const, basis: 'inspection' as const, note: 'after pg_repack or VACUUM FULL' })),
        notes: [],
      },
    };
  },
};

export const autovacuumCheck: CheckDef = {
  id: 'space.autovacuum-behind',
  title: 'Autovacuum keeping up with dead rows on the hot tables',
  run(e) {
    const s = pgSpace(e);
    if (isResult(s)) return s;
    const behind = s.tables.filter((t) => {
      if (!hot.has(t.name) || t.deadTuples === null || !t.autovacuum) return false;
      return t.deadTuples >= 10_000 && t.deadTuples >= 2 * t.autovacuum.vacuumTrigger && (t.deadShare ?? 0) >= 0.1;
    });
    if (behind.length === 0) return { status: 'clear', note: 'On every hot table dead rows are below twice the point where autovacuum starts (or under 10,000).' };
    const dead = behind.reduce((a, t) => a + (t.deadTuples ?? 0), 0);
    const off = behind.filter((t) => t.autovacuum && !t.autovacuum.enabled).map((t) => t.name);
    const tables = behind.map((t) => t.name);
    const actions: Action[] = [];
    const plain = tables.filter((t) => vacuumable.has(t));
    if (plain.length) actions.push({ kind: 'vacuum', title: `VACUUM (ANALYZE) ${plain.join(', ')} now`, tables: plain, freeze: false });
    actions.push({
      kind: 'manual',
      title: off.length ? 'Turn autovacuum back on for these tables' : 'Let autovacuum start earlier on these tables',
      text: off.length
        ? `Autovacuum is switched off on ${off.join(', ')} (a table storage parameter). Turn it back on, as the table owner.`
        : 'With the default scale factor (20 % of the table) autovacuum waits for millions of dead rows on big tables. A smaller per-table scale factor makes it run more often, with less to do each time. As the table owner:',
      command: off.length ? off.map((t) => `ALTER TABLE ${t} RESET (autovacuum_enabled);`).join(' ') : tables.map((t) => `ALTER TABLE ${t} SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);`).join(' '),
    });
    return {
      status: 'raised',
      finding: {
        id: 'space.autovacuum-behind',
        severity: dead >= 1_000_000 ? 'high' : 'medium',
        magnitude: Math.min(1, dead / 10_000_000),
        title: `${n(dead)} dead rows wait for autovacuum on ${tables.join(', ')}`,
        measured: behind.flatMap((t) => [
          { label: `${t.name} dead rows`, value: t.deadTuples, unit: 'rows' as const, source: 'pg_stat_user_tables.n_dead_tup', exact: false },
          { label: `${t.name} dead share`, value: t.deadShare, unit: 'share' as const, source: 'pg_stat_user_tables', exact: false },
          { label: `${t.name} autovacuum starts at`, value: Math.round(t.autovacuum!.vacuumTrigger), unit: 'rows' as const, source: 'autovacuum_vacuum_threshold + scale_factor × reltuples', exact: false },
          { label: `${t.name} last autovacuum${t.autovacuum!.enabled ? '' : ' (autovacuum off for this table)'}`, value: ageText(t.lastAutovacuum, e.now), unit: 'text' as const, source: 'pg_stat_user_tables.last_autovacuum', exact: true },
        ]),
        why: 'Every state change Prefect records updates flow_run and inserts into the state tables, and deletes leave dead row versions; until VACUUM removes them, index and sequential scans step over them and the planner works from stale statistics, so run lists and the scheduler’s queries slow down.',
        refs: ['PostgreSQL: routine vacuuming (autovacuum_vacuum_scale_factor)', 'prefect/server/database/orm_models.py'],
        actions,
        effect: behind.map((t) => ({ label: `${t.name} dead rows`, before: t.deadTuples, after: 0, unit: 'rows' as const, basis: 'inspection' as const, note: 'right after VACUUM' })),
        notes: [],
      },
    };
  },
};

export const xidCheck: CheckDef = {
  id: 'space.xid-age',
  title: 'Transaction ID age against autovacuum_freeze_max_age',
  run(e) {
    const s = pgSpace(e);
    if (isResult(s)) return s;
    const globalMax = s.xidFreezeMaxAge;
    if (s.xidAge === null || globalMax === null) return { status: 'unavailable', note: 'The transaction ID age could not be read.' };
    const perTable = e.pg?.tableFreezeMaxAge ?? {};
    const old = s.tables.filter((t) => t.prefect && t.xidAge !== null && t.xidAge > (perTable[t.name] ?? globalMax));
    const dbOver = s.xidAge > globalMax;
    if (old.length === 0 && !dbOver) {
      return { status: 'clear', note: `Database age ${n(s.xidAge)} of ${n(globalMax)} (autovacuum_freeze_max_age); every Prefect table below its own limit.` };
    }
    const holders = e.pg?.xminHolders ?? [];
    const oldestAge = Math.max(s.xidAge, ...old.map((t) => t.xidAge ?? 0));
    const tables = old.map((t) => t.name);
    const actions: Action[] = [];
    const freeze = tables.filter((t) => vacuumable.has(t));
    if (freeze.length) actions.push({ kind: 'vacuum', title: `VACUUM (FREEZE, ANALYZE) ${freeze.join(', ')}`, tables: freeze, freeze: true });
    if (holders.length) {
      actions.push({
        kind: 'manual',
        title: 'Release what holds the oldest transaction back',
        text: `Freezing cannot pass the oldest transaction still visible: ${holders.map((h) => `${h.kind} ${h.name} (${n(h.age)} transactions old${h.state ? `, ${h.state}` : ''}${h.since ? ` since ${h.since}` : ''})`).join('; ')}. End it, then VACUUM again. Housekeeper never ends other sessions itself.`,
        command: holders.map((h) => (h.kind === 'session' ? `SELECT pg_terminate_backend(${h.name.split(' ')[0]});` : h.kind === 'prepared' ? `ROLLBACK PREPARED '${h.name}';` : `SELECT pg_drop_replication_slot('${h.name}');`)).join(' '),
      });
    }
    return {
      status: 'raised',
      finding: {
        id: 'space.xid-age',
        severity: oldestAge > 1_200_000_000 ? 'critical' : 'high',
        magnitude: Math.min(1, oldestAge / XID_WRAP),
        title: `Transaction ID age ${n(oldestAge)} is past autovacuum_freeze_max_age${tables.length ? ` on ${tables.join(', ')}` : ''}`,
        measured: [
          { label: 'Database age (datfrozenxid)', value: s.xidAge, unit: 'transactions', source: SRC.xid, exact: true },
          { label: 'autovacuum_freeze_max_age', value: globalMax, unit: 'transactions', source: 'pg_settings', exact: true },
          ...old.map((t) => ({ label: `${t.name} age (relfrozenxid)${perTable[t.name] !== undefined ? `, its own limit ${n(perTable[t.name]!)}` : ''}`, value: t.xidAge, unit: 'transactions' as const, source: SRC.xid, exact: true })),
          ...holders.slice(0, 3).map((h) => ({ label: `Oldest horizon held by ${h.kind} ${h.name}${h.state ? ` (${h.state})` : ''}`, value: h.age, unit: 'transactions' as const, source: h.kind === 'session' ? SRC.activity : h.kind === 'prepared' ? 'pg_prepared_xacts' : 'pg_replication_slots', exact: true })),
        ],
        why: 'PostgreSQL must freeze old rows before transaction IDs wrap around at about 2.1 billion; autovacuum forces a freezing vacuum once a table passes autovacuum_freeze_max_age, and here it has not caught up (or cannot, while an old transaction holds the horizon). Close to the limit Postgres stops accepting writes, and the Prefect server with it.',
        refs: ['PostgreSQL: preventing transaction ID wraparound failures'],
        actions,
        effect: [{ label: 'Oldest table age', before: oldestAge, after: holders.length ? Math.max(...holders.map((h) => h.age)) : 0, unit: 'transactions', basis: 'inspection', note: holders.length ? 'a freeze can only reach the oldest held transaction' : 'right after the freeze' }],
        notes: [],
      },
    };
  },
};
