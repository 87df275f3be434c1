/**
 * The after of a retention (#/retention/maintenance): the retention tables' sizes and dead rows,
 * VACUUM (ANALYZE) as a job (never blocks Prefect), and the rewrites that shrink files: pg_repack
 * as a job when the server and this machine have it (else what to install), and VACUUM FULL (exclusive lock, the table's name
 * typed back). Without database access it says so, as data.
 */
import { useState } from 'react';
import type { RetentionTable } from '../../../shared/domain/retention/maintenance';
import { useAction, useEvent, useRequest } from '../../api/hooks';
import { isFinished, useJob } from '../../api/jobs';
import { ErrorNotice } from '../../components/ErrorNotice';
import { JobProgressBar } from '../../components/JobProgressBar';
import { Waiting } from '../../components/Waiting';
import { formatBytes } from '../../lib/format';
import { MaintenanceTables } from './MaintenanceTables';
import { RepackStatusCard } from './RepackStatusCard';
import { VacuumFullPanel } from './VacuumFullPanel';
import { VacuumResult } from './VacuumResult';

export function MaintenanceView({ connectionId, readOnly }: { connectionId: string; readOnly: boolean }) {
  const view = useRequest('retention.maintenance', { connectionId }, connectionId);
  const vacuum = useAction('retention.vacuum');
  const full = useAction('retention.vacuumFull');
  const repack = useAction('retention.repack');
  const [jobId, setJobId] = useState<string | null>(null);
  const [fullTable, setFullTable] = useState<RetentionTable | null>(null);
  const job = useJob(jobId);
  useEvent('jobs.finished', (f) => {
    if (f.jobId === jobId) view.reload();
  });
  const running = !!job && !isFinished(job);

  if (view.error) return <ErrorNotice title="Could not read the tables; nothing was changed" error={view.error} onDismiss={view.reload} />;
  if (!view.data) return <Waiting label="Reading table sizes and dead rows…" startedAt={view.startedAt} timeoutMs={view.timeoutMs} onCancel={view.cancel} testId="retention-maint-waiting" />;
  const v = view.data;
  const canAct = !readOnly && v.backend !== 'api';
  return (
    <section className="card ret-maint" data-testid="retention-maintenance" data-backend={v.backend}>
      <div className="card__title">Space after a retention</div>
      <ul className="purge-notes" data-testid="retention-maint-notes">
        {v.notes.map((n) => (
          <li key={n}>{n}</li>
        ))}
        {readOnly && <li>This connection is read-only: the tables can be inspected, nothing can be started.</li>}
      </ul>
      {v.sqlite && (
        <p data-testid="retention-sqlite-file">
          <span className="mono">{v.sqlite.file}</span>: {formatBytes(v.sqlite.bytes)}, of which {formatBytes(v.sqlite.freeBytes)} free pages; {formatBytes(v.sqlite.diskFreeBytes)} free on its disk.
        </p>
      )}
      {v.backend === 'postgres' && <MaintenanceTables tables={v.tables} canAct={canAct && !running} onVacuumFull={(t) => setFullTable(t)} />}
      {canAct && (
        <div className="form__actions">
          <button
            type="button"
            className="btn btn--primary"
            disabled={vacuum.running || running}
            onClick={() => void vacuum.run({ connectionId }).then((r) => r && setJobId(r.jobId))}
            data-testid="retention-vacuum"
          >
            {v.backend === 'sqlite' ? 'VACUUM the SQLite file' : 'VACUUM (ANALYZE) the retention tables'}
          </button>
          <span className="muted">{v.backend === 'sqlite' ? 'Holds the write lock while it rewrites the file.' : 'Runs beside Prefect without blocking it; makes the dead space reusable.'}</span>
        </div>
      )}
      {vacuum.error && <ErrorNotice title="VACUUM was not started" error={vacuum.error} onDismiss={vacuum.clearError} />}
      {fullTable && canAct && (
        <VacuumFullPanel
          table={fullTable}
          locks={v.vacuumFullLocks}
          busy={full.running}
          onClose={() => {
            setFullTable(null);
            full.clearError();
          }}
          onConfirm={(typed) =>
            void full.run({ connectionId, table: fullTable, confirmTable: typed }).then((r) => {
              if (r) {
                setJobId(r.jobId);
                setFullTable(null);
              }
            })
          }
        />
      )}
      {full.error && <ErrorNotice title="VACUUM FULL was not started" error={full.error} onDismiss={full.clearError} />}
      {job && <div className="ret-maint__job">{job.title}</div>}
      {job && <JobProgressBar job={job} />}
      {job && isFinished(job) && <VacuumResult result={job.result} />}
      {v.repack && (
        <RepackStatusCard
          repack={v.repack}
          tables={v.tables}
          canAct={canAct && v.backend === 'postgres'}
          busy={repack.running || running}
          onRepack={(tables) => void repack.run({ connectionId, tables }).then((r) => r && setJobId(r.jobId))}
        />
      )}
      {repack.error && <ErrorNotice title="pg_repack was not started" error={repack.error} onDismiss={repack.clearError} />}
    </section>
  );
}
