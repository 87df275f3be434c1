/**
 * pg_repack: whether the extension and a client of its version are here (what to install
 * otherwise), the locks it takes, and, when usable, the online rewrite of the chosen tables as a job.
 * The locks are on screen before the button: brief ACCESS EXCLUSIVE at the start and end of each
 * table, so no typed confirmation (VACUUM FULL, which holds it throughout, has one).
 */
import { useState } from 'react';
import { RETENTION_TABLES, type RepackStatus, type RetentionTable, type TableState } from '../../../shared/domain/retention/maintenance';
import { Badge } from '../../components/Badge';
import { formatBytes, plural } from '../../lib/format';
import { orderTables, repackDefaults } from './maintenance-logic';

interface Props {
  repack: RepackStatus;
  tables: readonly TableState[];
  /** Writable database connection and nothing else running. */
  canAct: boolean;
  busy: boolean;
  onRepack: (tables: RetentionTable[]) => void;
}

const isRetentionTable = (t: string): t is RetentionTable => (RETENTION_TABLES as readonly string[]).includes(t);

export function RepackStatusCard({ repack, tables, canAct, busy, onRepack }: Props) {
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(repackDefaults(tables)));
  const offered = orderTables(tables).filter((t) => isRetentionTable(t.table));
  const picked = offered.filter((t) => chosen.has(t.table));
  const toggle = (table: string) =>
    setChosen((s) => {
      const next = new Set(s);
      if (next.has(table)) next.delete(table);
      else next.add(table);
      return next;
    });
  return (
    <div className="ret-repack" data-testid="retention-repack">
      <div className="ret-repack__title">
        pg_repack (online rewrite) <Badge tone={repack.usable ? 'ok' : 'skip'}>{repack.usable ? 'usable here' : 'not usable here'}</Badge>
      </div>
      <p>{repack.reason}</p>
      {!repack.usable && (
        <ol className="ret-repack__install">
          {repack.install.map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ol>
      )}
      <p className="muted">{repack.locks}</p>
      {repack.usable && canAct && (
        <>
          <fieldset className="ret-repack__tables" data-testid="retention-repack-tables">
            <legend>Tables to rewrite (those that need a rewrite are chosen)</legend>
            {offered.map((t) => (
              <label key={t.table} className="ret-repack__table">
                <input type="checkbox" checked={chosen.has(t.table)} onChange={() => toggle(t.table)} disabled={busy} />
                <span className="mono">{t.table}</span> <span className="muted">{formatBytes(t.totalBytes)}</span>
              </label>
            ))}
          </fieldset>
          <div className="form__actions">
            <button
              type="button"
              className="btn btn--primary"
              disabled={busy || picked.length === 0}
              onClick={() => onRepack(picked.map((t) => t.table).filter(isRetentionTable))}
              data-testid="retention-repack-go"
            >
              {picked.length === 0 ? 'Choose a table to repack' : `Repack ${plural(picked.length, 'table')} online (${formatBytes(picked.reduce((a, t) => a + t.totalBytes, 0))})`}
            </button>
            <span className="muted">One table after another; needs free disk for a copy of each.</span>
          </div>
        </>
      )}
    </div>
  );
}
