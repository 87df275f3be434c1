/** The retention tables, those needing something first: size, dead rows, what a rewrite gives back. */
import type { RetentionTable, TableState } from '../../../shared/domain/retention/maintenance';
import { RETENTION_TABLES } from '../../../shared/domain/retention/maintenance';
import { Badge } from '../../components/Badge';
import { formatBytes, formatCount, formatShare, formatShortDateTime } from '../../lib/format';
import { deadShare, orderTables } from './maintenance-logic';

const TONE = { rewrite: 'fail', vacuum: 'warn', fine: 'ok' } as const;
const isRetentionTable = (t: string): t is RetentionTable => (RETENTION_TABLES as readonly string[]).includes(t);

export function MaintenanceTables({ tables, canAct, onVacuumFull }: { tables: TableState[]; canAct: boolean; onVacuumFull: (t: RetentionTable) => void }) {
  if (tables.length === 0) return <p className="muted">None of Prefect&apos;s retention tables were found in this database&apos;s schema.</p>;
  return (
    <div className="table-wrap">
      <table className="table table--compact ret-maint__tables" data-testid="retention-tables">
        <thead>
          <tr>
            <th>Table</th>
            <th className="num">Size</th>
            <th className="num">Live</th>
            <th className="num">Dead</th>
            <th className="num" title="Estimated: only a rewrite (pg_repack or VACUUM FULL) returns it to the disk">Rewrite frees</th>
            <th>Verdict</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {orderTables(tables).map((t) => {
            const share = deadShare(t);
            return (
              <tr key={t.table} data-table={t.table} data-verdict={t.verdict}>
                <td>
                  <span className="mono">{t.table}</span>
                  <div className="cell-sub">vacuumed {t.lastVacuum ? formatShortDateTime(t.lastVacuum) : 'never'}</div>
                </td>
                <td className="num">{formatBytes(t.totalBytes)}</td>
                <td className="num">{formatCount(t.liveRows)}</td>
                <td className="num">
                  {formatCount(t.deadRows)}
                  {share !== null && share >= 0.01 ? <span className="cell-sub"> {formatShare(share)}</span> : null}
                </td>
                <td className="num">{t.freeBytes === null ? <span className="muted">unknown</span> : formatBytes(t.freeBytes)}</td>
                <td>
                  <Badge tone={TONE[t.verdict]} title={t.reason}>{t.verdict}</Badge>
                  {t.verdict !== 'fine' && <div className="cell-sub">{t.reason}</div>}
                </td>
                <td>
                  {canAct && isRetentionTable(t.table) && (
                    <button type="button" className="btn btn--small btn--quiet nowrap" title="Rewrite the table under an exclusive lock (asks you to type its name first)" onClick={() => onVacuumFull(t.table as RetentionTable)} data-testid={`retention-vfull-${t.table}`}>
                      VACUUM FULL
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="muted ret-maint__legend">
        fine: small, or little dead space · vacuum: many dead rows, VACUUM (ANALYZE) makes their space reusable · rewrite: half the file or more is free,
        only pg_repack or VACUUM FULL shrinks it. VACUUM FULL asks for the table&apos;s name first.
      </p>
    </div>
  );
}
