/** What a finished VACUUM or pg_repack job did, table by table (vacuumed, skipped and why, sizes before and after). */
import { formatBytes, formatDuration } from '../../lib/format';
import { vacuumTables } from './maintenance-logic';

export function VacuumResult({ result }: { result: unknown }) {
  const tables = vacuumTables(result);
  if (tables.length === 0) return null;
  return (
    <ul className="purge-notes" data-testid="retention-vacuum-result">
      {tables.map((t) => (
        <li key={t.table}>
          <span className="mono">{t.table}</span>: {t.status}
          {t.durationMs !== undefined && (t.status === 'vacuumed' || t.status === 'repacked') ? ` in ${formatDuration(t.durationMs)}` : ''}
          {t.bytesBefore != null && t.bytesAfter != null ? `, ${formatBytes(t.bytesBefore)} → ${formatBytes(t.bytesAfter)}` : ''}
          {t.reason ? ` (${t.reason})` : ''}
        </li>
      ))}
    </ul>
  );
}
