/** The four numbers an admin looks at first: how big, how much could come back, how late, how old. */
import type { HistoryPoint, InspectReport } from '../../../shared/domain/inspect';
import { describeReclaim, spaceReclaim } from '../../../shared/domain/reclaim';
import { formatBytes, formatCount, formatRelative, formatShare, plural } from '../../lib/format';

export function SummaryTiles({ report, history }: { report: InspectReport; history: HistoryPoint[] }) {
  const space = report.space;
  const size = space ? (space.kind === 'postgres' ? space.databaseBytes : space.fileBytes) : null;
  // Growth only means something against an inspection from at least an hour earlier.
  const first = history.find((p) => p.databaseBytes !== null && p.id !== report.id && Date.parse(report.createdAt) - Date.parse(p.at) >= 3_600_000);
  const growth = size !== null && first?.databaseBytes != null ? size - first.databaseBytes : null;
  // The headline is the sum of the per-table rows (tables and indexes apart), never a number only the JSON explains.
  const reclaim = space?.kind === 'postgres' ? spaceReclaim(space) : null;
  const late = report.runs?.late ?? null;
  const oldestLate = late?.deployments.reduce<string | null>((o, d) => (d.first && (!o || d.first < o) ? d.first : o), null) ?? null;
  return (
    <div className="ov-tiles" data-testid="overview-tiles">
      <div className="ov-tile" data-testid="tile-size">
        <div className="ov-tile__label">{space?.kind === 'sqlite' ? 'Database file' : 'Database size'}</div>
        <div className="ov-tile__value">{space ? formatBytes(size) : '—'}</div>
        <div className="ov-tile__sub">
          {!space
            ? 'Needs database access'
            : growth !== null && first
              ? `${growth >= 0 ? '+' : '−'}${formatBytes(Math.abs(growth))} since ${formatRelative(first.at)}`
              : history.length > 1
                ? `${plural(history.length, 'inspection')} saved; growth shows after an hour`
                : 'First inspection of this server'}
        </div>
      </div>
      <div className="ov-tile" data-testid="tile-reclaimable">
        <div className="ov-tile__label">Reclaimable by a rewrite</div>
        <div className="ov-tile__value" data-testid="reclaim-total">
          {reclaim ? describeReclaim(reclaim.total, formatBytes) : space?.kind === 'sqlite' ? formatBytes(space.freeBytes) : '—'}
        </div>
        <div className="ov-tile__sub" data-testid="reclaim-split">
          {reclaim
            ? `tables ${describeReclaim(reclaim.tables, formatBytes)} · indexes ${describeReclaim(reclaim.indexes, formatBytes)}${reclaim.total.measured === reclaim.total.known ? '' : ' (estimates)'}`
            : space?.kind === 'sqlite'
              ? 'free pages, given back by VACUUM'
              : 'Needs database access'}
        </div>
      </div>
      <div className={`ov-tile${late && late.count > 0 ? ' ov-tile--warn' : ''}`} data-testid="tile-late">
        <div className="ov-tile__label">Late backlog</div>
        <div className="ov-tile__value">{late ? formatCount(late.count, late.exact) : '—'}</div>
        <div className="ov-tile__sub">{late && late.count > 0 ? `oldest ${oldestLate ? formatRelative(oldestLate) : '—'}, ${plural(late.deployments.length, 'deployment')}` : late ? 'No Late runs' : 'Not available'}</div>
      </div>
      <div className="ov-tile" data-testid="tile-xid">
        <div className="ov-tile__label">Transaction ID age</div>
        <div className="ov-tile__value">{space?.kind === 'postgres' && space.xidAge !== null ? formatShare(space.xidAge / (space.xidFreezeMaxAge ?? 200_000_000)) : '—'}</div>
        <div className="ov-tile__sub">{space?.kind === 'postgres' ? 'of the forced anti-wraparound vacuum' : 'Postgres only'}</div>
      </div>
    </div>
  );
}
