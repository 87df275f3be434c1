/**
 * Where the space went: one bar per table (heap, indexes, TOAST) on a shared scale, each with its
 * verdict; the details table below gives rows, dead tuples, autovacuum distance and the reclaimable
 * estimate with its confidence. SQLite shows the file with its free pages; API-only says plainly
 * that space needs database access.
 */
import type { InspectReport, PostgresSpace, SqliteSpace, TableSpace } from '../../../shared/domain/inspect';
import { describeReclaim, heapReclaim, spaceReclaim, type ReclaimPart, type TableReclaim } from '../../../shared/domain/reclaim';
import { Badge } from '../../components/Badge';
import { BarList, type BarRow } from '../../components/charts/BarList';
import { DataTable } from '../../components/table/DataTable';
import type { Column, Filter } from '../../components/table/types';
import { formatBytes, formatCount, formatDateTime, formatInt, formatRelative, formatShare, plural } from '../../lib/format';
import { VERDICT_LABEL, VERDICT_TONE } from './classes';

const MIB = 1024 * 1024;
const TOP = 10;

/** The per-table columns; the index share of each table's reclaimable space comes from spaceReclaim. */
function spaceColumns(byTable: ReadonlyMap<string, TableReclaim>): Array<Column<TableSpace>> {
  return [
  { id: 'name', header: 'Table', width: '14%', sortValue: (t) => t.name, cell: (t) => <span className="mono">{t.name}</span> },
  { id: 'rows', header: 'Rows', width: '8%', numeric: true, descFirst: true, sortValue: (t) => t.rowsEstimate, cell: (t) => formatCount(t.rowsEstimate, t.rowsExact) },
  { id: 'total', header: 'Size', width: '7%', numeric: true, descFirst: true, sortValue: (t) => t.totalBytes, cell: (t) => <span className="nowrap">{formatBytes(t.totalBytes)}</span> },
  { id: 'heap', header: 'Table', title: 'Heap (the table itself)', width: '7%', numeric: true, descFirst: true, hideBelow: 1600, sortValue: (t) => t.heapBytes, cell: (t) => <span className="nowrap">{formatBytes(t.heapBytes)}</span> },
  { id: 'index', header: 'Indexes', width: '7%', numeric: true, descFirst: true, hideBelow: 1200, sortValue: (t) => t.indexBytes, cell: (t) => <span className="nowrap">{formatBytes(t.indexBytes)}</span> },
  { id: 'toast', header: 'TOAST', width: '6%', numeric: true, descFirst: true, hideBelow: 1600, sortValue: (t) => t.toastBytes, cell: (t) => <span className="nowrap">{formatBytes(t.toastBytes)}</span> },
  {
    id: 'dead',
    header: 'Dead rows',
    width: '9%',
    numeric: true,
    descFirst: true,
    sortValue: (t) => t.deadTuples,
    cell: (t) => <span className="nowrap">{t.deadTuples === null ? '—' : `${formatInt(t.deadTuples)} (${formatShare(t.deadShare)})`}</span>,
  },
  {
    id: 'vacuumed',
    header: 'Autovacuumed',
    width: '9%',
    descFirst: true,
    hideBelow: 1200,
    sortValue: (t) => Date.parse(t.lastAutovacuum ?? t.lastVacuum ?? '') || 0,
    cell: (t) => {
      const at = t.lastAutovacuum ?? t.lastVacuum;
      return <span className="nowrap" title={at ? formatDateTime(at) : undefined}>{at ? formatRelative(at) : 'never'}</span>;
    },
  },
  { id: 'next', header: 'Autovacuum trigger', title: 'How far the dead rows are towards the next autovacuum of the table', width: '9%', descFirst: true, sortValue: (t) => t.autovacuum?.vacuumProgress ?? null, cell: (t) => nextVacuum(t) },
  { id: 'reclaim', header: 'Reclaimable: table', width: '12%', numeric: true, descFirst: true, sortValue: (t) => heapReclaim(t).bytes, cell: (t) => reclaimText(heapReclaim(t)) },
  {
    id: 'reclaimIndexes',
    header: 'Reclaimable: indexes',
    width: '12%',
    numeric: true,
    descFirst: true,
    hideBelow: 1200,
    sortValue: (t) => byTable.get(t.name)?.indexes.bytes ?? null,
    cell: (t) => {
      const part = byTable.get(t.name)?.indexes;
      return part ? reclaimText(part) : '—';
    },
  },
  {
    id: 'confidence',
    header: 'Confidence',
    width: '6%',
    sortValue: (t) => (t.exact ? 'measured' : t.bloat.confidence.level),
    cell: (t) => <span title={t.bloat.confidence.reasons.join('; ')}>{t.exact ? 'measured' : t.bloat.confidence.level}</span>,
  },
];
}

const SPACE_FILTERS: Array<Filter<TableSpace>> = [
  {
    id: 'verdict',
    label: 'Verdict',
    allLabel: 'Any verdict',
    options: (Object.keys(VERDICT_LABEL) as Array<TableSpace['verdict']['kind']>).map((k) => ({ value: k, label: VERDICT_LABEL[k], test: (t) => t.verdict.kind === k })),
  },
  {
    id: 'owner',
    label: 'Tables',
    allLabel: 'All',
    options: [
      { value: 'prefect', label: "Prefect's own", test: (t) => t.prefect },
      { value: 'other', label: 'Others', test: (t) => !t.prefect },
    ],
  },
];

function notable(tables: TableSpace[]): TableSpace[] {
  return tables.filter((t) => (t.prefect && (t.rowsEstimate ?? 0) > 0) || t.totalBytes >= MIB);
}

/** Numbers from shared/domain/reclaim.ts, the same the headline tile adds up. */
const reclaimText = (p: ReclaimPart) => describeReclaim(p, formatBytes);

function sum(parts: ReclaimPart[]): ReclaimPart {
  return parts.reduce((a, b) => ({ bytes: a.bytes + b.bytes, marginBytes: a.marginBytes + b.marginBytes, unknown: a.unknown + b.unknown, measured: a.measured + b.measured, known: a.known + b.known }), { bytes: 0, marginBytes: 0, unknown: 0, measured: 0, known: 0 });
}

function nextVacuum(t: TableSpace): string {
  const a = t.autovacuum;
  if (!a) return '—';
  if (!a.enabled) return 'off';
  if (a.vacuumProgress >= 1) return 'due now';
  return `${formatShare(a.vacuumProgress)} reached`;
}

export function SpaceCard({ report, details, onToggleDetails }: { report: InspectReport; details: boolean; onToggleDetails: () => void }) {
  const space = report.space;
  return (
    <section className="card ov-card" data-testid="overview-space" aria-labelledby="ov-space-title">
      <h2 className="ov-card__title" id="ov-space-title">
        Where the space went
      </h2>
      {!space ? (
        <p className="ov-empty" data-testid="space-unavailable">
          {report.source === 'api'
            ? 'Space needs database access. The Prefect API does not report table sizes, dead rows or bloat; add the server’s database to this connection to see them.'
            : (report.sections.find((s) => s.id === 'space')?.message ?? 'Space could not be read.')}
        </p>
      ) : space.kind === 'postgres' ? (
        <PostgresSpaceView space={space} details={details} onToggleDetails={onToggleDetails} />
      ) : (
        <SqliteSpaceView space={space} />
      )}
    </section>
  );
}

function PostgresSpaceView({ space, details, onToggleDetails }: { space: PostgresSpace; details: boolean; onToggleDetails: () => void }) {
  const tables = notable(space.tables);
  const rows: BarRow[] = tables.slice(0, TOP).map((t) => ({
    key: t.name,
    label: <span className="mono">{t.name}</span>,
    sub: (
      <Badge tone={VERDICT_TONE[t.verdict.kind]} title={t.verdict.summary}>
        {VERDICT_LABEL[t.verdict.kind]}
      </Badge>
    ),
    parts: [
      { value: t.heapBytes, className: 'ov-part ov-part--heap', title: `table ${formatBytes(t.heapBytes)}` },
      { value: t.indexBytes, className: 'ov-part ov-part--index', title: `indexes ${formatBytes(t.indexBytes)}` },
      { value: t.toastBytes, className: 'ov-part ov-part--toast', title: `TOAST ${formatBytes(t.toastBytes)}` },
    ],
    value: (
      <>
        <strong>{formatBytes(t.totalBytes)}</strong>
        <div className="chart-bars__sub">{t.deadShare !== null && t.deadShare >= 0.01 ? `${formatShare(t.deadShare)} dead` : `${formatCount(t.rowsEstimate, t.rowsExact)} rows`}</div>
      </>
    ),
  }));
  const attention = tables.filter((t) => t.verdict.kind === 'rewrite' || t.verdict.kind === 'reuse');
  return (
    <>
      <div className="ov-legend-inline">
        <span className="ov-swatch ov-swatch--heap" /> table <span className="ov-swatch ov-swatch--index" /> indexes <span className="ov-swatch ov-swatch--toast" /> TOAST
      </div>
      <BarList rows={rows} label="Size per table" testId="space-bars" />
      {attention.length > 0 && (
        <ul className="ov-verdicts" data-testid="space-verdicts">
          {attention.map((t) => (
            <li key={t.name}>
              <span className="mono">{t.name}</span>: {t.verdict.summary}
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="btn btn--link" onClick={onToggleDetails} aria-expanded={details} data-testid="space-details-toggle">
        {details ? 'Hide the details' : 'Show rows, dead tuples, autovacuum and estimates per table'}
      </button>
    </>
  );
}

/** The full-width table under the charts: everything per table, for when the bars raised a question. */
export function SpaceDetails({ space }: { space: PostgresSpace }) {
  const tables = notable(space.tables);
  const r = spaceReclaim(space);
  const byTable = new Map(r.perTable.map((t) => [t.name, t]));
  const rest = r.perTable.filter((t) => !tables.some((x) => x.name === t.name));
  const columns = spaceColumns(byTable);
  return (
    <section className="card ov-card" data-testid="overview-space-details">
      <h2 className="ov-card__title">
        Per table
        <span className="ov-card__meta">estimates from planner statistics, ± their margin; “measured” after an exact measurement</span>
      </h2>
      <DataTable
        testId="space-table"
        rowTestId="space-row"
        noun="table"
        rows={tables}
        rowId={(t) => t.name}
        columns={columns}
        searchText={(t) => `${t.name} ${VERDICT_LABEL[t.verdict.kind]}`}
        filters={SPACE_FILTERS}
        initialSort={{ id: 'total', desc: true }}
        compact
        rowHeight={31}
        className="ov-table"
      />
      {/* The headline tile is the sum of these rows: the tables above, the others, the total. */}
      <table className="table table--compact ov-reclaim-total" data-testid="space-reclaim-total">
        <tbody>
          {rest.length > 0 && (
            <tr>
              <td>{plural(rest.length, 'other table')}</td>
              <td className="num nowrap">table {reclaimText(sum(rest.map((t) => t.heap)))}</td>
              <td className="num nowrap">indexes {reclaimText(sum(rest.map((t) => t.indexes)))}</td>
            </tr>
          )}
          <tr>
            <th>Total (the headline: {reclaimText(r.total)})</th>
            <th className="num nowrap">table {reclaimText(r.tables)}</th>
            <th className="num nowrap">indexes {reclaimText(r.indexes)}</th>
          </tr>
        </tbody>
      </table>
      <div className="ov-table-notes">
        <ConfidenceNotes tables={tables} />
        <IndexNotes space={space} />
      </div>
    </section>
  );
}

/** Why some estimates are less certain, grouped by reason (one line per reason, not per table). */
function ConfidenceNotes({ tables }: { tables: TableSpace[] }) {
  const byReason = new Map<string, string[]>();
  for (const t of tables) if (!t.exact) for (const r of t.bloat.confidence.reasons) byReason.set(r, [...(byReason.get(r) ?? []), t.name]);
  if (byReason.size === 0) return null;
  return (
    <div className="ov-indexes" data-testid="confidence-notes">
      <div className="ov-subtitle">Why some estimates are less certain</div>
      <ul>
        {[...byReason].map(([reason, names]) => (
          <li key={reason}>
            {reason}: <span className="mono">{names.join(', ')}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function IndexNotes({ space }: { space: PostgresSpace }) {
  const flagged = space.indexes.filter((i) => !i.valid || (i.duplicateOf !== null && i.bytes >= MIB) || (i.unused && i.bytes >= 8 * MIB));
  if (flagged.length === 0) return null;
  return (
    <div className="ov-indexes">
      <div className="ov-subtitle">Indexes worth a look</div>
      <p className="muted">Most are Prefect’s own: dropping one is your call, and a Prefect upgrade may create it again.</p>
      <ul>
        {flagged.map((i) => (
          <li key={i.name}>
            <span className="mono">{i.name}</span> ({formatBytes(i.bytes)}):{' '}
            {[!i.valid && 'INVALID, left by an interrupted CREATE INDEX CONCURRENTLY', i.duplicateOf && `covered by ${i.duplicateOf}`, i.unused && 'never used since statistics were reset'].filter(Boolean).join('; ')}
          </li>
        ))}
      </ul>
    </div>
  );
}

function SqliteSpaceView({ space }: { space: SqliteSpace }) {
  const used = space.fileBytes - space.freeBytes;
  const rows: BarRow[] = notable(space.tables)
    .slice(0, TOP)
    .map((t) => ({
      key: t.name,
      label: <span className="mono">{t.name}</span>,
      parts: [
        { value: t.heapBytes, className: 'ov-part ov-part--heap', title: `table ${formatBytes(t.heapBytes)}` },
        { value: t.indexBytes, className: 'ov-part ov-part--index', title: `indexes ${formatBytes(t.indexBytes)}` },
      ],
      value: (
        <>
          <strong>{space.dbstat ? formatBytes(t.totalBytes) : '—'}</strong>
          <div className="chart-bars__sub">{formatCount(t.rowsEstimate, t.rowsExact)} rows</div>
        </>
      ),
    }));
  return (
    <>
      <p>
        <span className="mono">{space.file}</span>: {formatBytes(space.fileBytes)}, of which {formatBytes(space.freeBytes)} are free pages
        {space.walBytes > 0 ? ` (plus a ${formatBytes(space.walBytes)} write-ahead log)` : ''}.
      </p>
      <BarList
        rows={[
          {
            key: 'file',
            label: 'Whole file',
            sub: (
              <Badge tone={VERDICT_TONE[space.verdict.kind]} title={space.verdict.summary}>
                {VERDICT_LABEL[space.verdict.kind]}
              </Badge>
            ),
            parts: [
              { value: used, className: 'ov-part ov-part--heap', title: `in use ${formatBytes(used)}` },
              { value: space.freeBytes, className: 'ov-part ov-part--free', title: `free pages ${formatBytes(space.freeBytes)}` },
            ],
            value: <strong>{formatBytes(space.fileBytes)}</strong>,
          },
          ...rows,
        ]}
        label="Size per table"
        testId="space-bars"
      />
      <p className="muted">{space.verdict.summary}</p>
      {!space.dbstat && <p className="muted">This SQLite build has no dbstat table, so per-table sizes are not shown.</p>}
    </>
  );
}
