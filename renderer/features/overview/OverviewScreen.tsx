/**
 * Overview: the first screen of a maintenance session. What is big, what is bloated and by how much
 * (with how far to trust it), what autovacuum is doing right now, how the runs stand (Late backlog,
 * what a retention would remove, orphans), and how all of that moved since earlier inspections.
 *
 * It opens on the last saved inspection at once and inspects again when that one is older than a few
 * minutes; everything it reads is read-only. Charts are hand-made SVG: bars for sizes, one stacked bar
 * for runs by state, lines for growth.
 */
import { useEffect, useRef, useState } from 'react';
import type { ExportFormat, InspectReport } from '../../../shared/domain/inspect';
import { useCurrentConnection } from '../../api/connections';
import { call, type ClientError } from '../../api/client';
import { toClientError } from '../../api/errors';
import { saveTextFile } from '../../api/files';
import { useHealth } from '../../api/health';
import { useAction, useEvent, useRequest } from '../../api/hooks';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Spinner } from '../../components/Spinner';
import { Waiting } from '../../components/Waiting';
import { formatDateTime, formatDuration, formatRelative } from '../../lib/format';
import { href } from '../../lib/router';
import { ExactPanel } from './ExactPanel';
import { GrowthCard } from './GrowthCard';
import { MaintenanceCard } from './MaintenanceCard';
import { NotesPanel } from './NotesPanel';
import { BacklogCard, RetentionCard, RunsCard } from './RunsCard';
import { SpaceCard, SpaceDetails } from './SpaceCard';
import { SummaryTiles } from './SummaryTiles';
import { useMaintenance } from './use-overview';
import '../../styles/overview.css';

/** A saved report younger than this is shown as is; older ones trigger a fresh inspection. */
const FRESH_MS = 5 * 60_000;

export function OverviewScreen() {
  const conn = useCurrentConnection();
  const connectionId = conn?.id ?? null;
  const [report, setReport] = useState<InspectReport | null>(null);
  const [exactJob, setExactJob] = useState<string | null>(null);
  const [details, setDetails] = useState(false);
  const latest = useRequest('inspect.latest', { connectionId: connectionId ?? '' }, connectionId ?? '');
  const run = useAction('inspect.run');
  const exact = useAction('inspect.exact');
  const exporter = useAction('inspect.export');
  const [saveError, setSaveError] = useState<ClientError | null>(null);
  const history = useRequest('inspect.history', { connectionId: connectionId ?? '', limit: 120 }, `${connectionId ?? ''}:${report?.id ?? ''}`);
  const maintenance = useMaintenance(connectionId, report?.source === 'postgres');
  // The live state of the server, not the saved report's: a down or hung API is said first.
  const { health } = useHealth(connectionId);
  const apiBad = health && health.api.status !== 'ok' && health.api.status !== 'slow' ? health.api : null;
  const dbBad = health && ['down', 'auth', 'error'].includes(health.database.status) ? health.database : null;
  const autoRan = useRef<string | null>(null);

  const inspect = async () => {
    if (!connectionId) return;
    const r = await run.run({ connectionId });
    if (r) setReport(r);
  };

  // Show the last saved report at once; inspect again if it is stale (once per connection).
  useEffect(() => {
    setReport(null);
    setExactJob(null);
  }, [connectionId]);
  useEffect(() => {
    if (!connectionId || latest.loading || latest.data === undefined || autoRan.current === connectionId) return;
    // Right after switching connections the hook still holds the previous connection's report.
    if (latest.data && latest.data.connectionId !== connectionId) return;
    autoRan.current = connectionId;
    if (latest.data) setReport(latest.data);
    if (!latest.data || Date.now() - Date.parse(latest.data.createdAt) > FRESH_MS) void inspect();
  }, [connectionId, latest.loading, latest.data]);

  // When the exact measurement finishes, reload the report it was written into.
  useEvent('jobs.finished', (f) => {
    if (f.jobId !== exactJob || !report) return;
    void call('inspect.get', { id: report.id }).then(setReport, () => undefined);
  });

  if (!conn) {
    return (
      <div className="page">
        <EmptyState title="No connection selected" actions={<a className="btn btn--primary" href={href('connections')}>Choose a connection</a>}>
          The overview inspects one Prefect server at a time: its database’s space and bloat, and the health of its runs.
        </EmptyState>
      </div>
    );
  }

  const doExport = async (format: ExportFormat) => {
    if (!report) return;
    const e = await exporter.run({ id: report.id, format });
    // Native Save dialog in the window, a download in the browser.
    setSaveError(null);
    if (e) await saveTextFile({ suggestedName: e.filename, mime: e.mime, content: e.content, title: 'Export the report' }).catch((err: unknown) => setSaveError(toClientError(err)));
  };
  const startExact = async () => {
    if (!report) return;
    const r = await exact.run({ connectionId: conn.id, reportId: report.id, indexes: true });
    if (r) setExactJob(r.jobId);
  };
  const points = history.data ?? [];

  return (
    <div className="page page--overview">
      <header className="page__header">
        <div>
          <h1 className="page__title">Overview</h1>
          <p className="page__lead" data-testid="overview-lead">
            {report ? (
              <>
                {apiBad ? (
                  <strong className="ov-lead-bad" data-testid="overview-api-down">Prefect API {apiBad.status === 'auth' ? 'refuses the credentials' : 'not answering'}</strong>
                ) : (
                  // The live version when the strip has it; the report's (or "unknown") otherwise.
                  health?.api.label ?? (report.server.prefectVersion ? `Prefect ${report.server.prefectVersion}` : 'Prefect version unknown')
                )}
                {' · '}
                {report.server.database ?? (report.source === 'api' ? 'API only' : <strong className="ov-lead-bad">database not readable</strong>)}
                {' · '}
                <span title={report.createdAt}>inspected {formatRelative(report.createdAt)}</span> in {formatDuration(report.durationMs)}, read-only
              </>
            ) : (
              'Where the space went and how healthy the runs are.'
            )}
          </p>
        </div>
        <div className="page__actions">
          {report && (
            <div className="ov-export" role="group" aria-label="Export this report">
              <span className="muted">Export</span>
              {(['json', 'md', 'csv'] as const).map((f) => (
                <button key={f} type="button" className="btn btn--small" onClick={() => void doExport(f)} disabled={exporter.running} data-testid={`export-${f}`}>
                  {f === 'md' ? 'Markdown' : f.toUpperCase()}
                </button>
              ))}
            </div>
          )}
          <button type="button" className="btn btn--primary" onClick={() => void inspect()} disabled={run.running} data-testid="inspect-now">
            {run.running ? 'Inspecting…' : 'Inspect now'}
          </button>
        </div>
      </header>

      {(apiBad || dbBad) && (
        <div className="notice notice--warn ov-health-notice" role="alert" data-testid="overview-health-notice">
          {apiBad && (
            <p>
              <strong>The Prefect API is {apiBad.status === 'auth' ? 'refusing the credentials' : 'not answering'}</strong>: {apiBad.message}{' '}
              {apiBad.lastOkAt ? `It last answered at ${formatDateTime(apiBad.lastOkAt)}.` : 'It has not answered since Housekeeper started.'} Purge through the API, schedule changes and the run counts of an API-only report wait for it.
            </p>
          )}
          {dbBad && (
            <p>
              <strong>The database {dbBad.status === 'auth' ? 'refuses the credentials' : 'is not answering'}</strong>: {dbBad.message}{' '}
              {apiBad ? '' : 'Run health comes from the Prefect API until it is back; space and bloat need the database.'}
            </p>
          )}
          {report && <p className="muted">The figures below are from the inspection at {formatDateTime(report.createdAt)}.</p>}
        </div>
      )}
      {run.error && <ErrorNotice title="The inspection failed" error={run.error} onDismiss={run.clearError} />}
      {exporter.error && <ErrorNotice title="Export failed" error={exporter.error} onDismiss={exporter.clearError} />}
      {saveError && <ErrorNotice title="The export could not be saved" error={saveError} onDismiss={() => setSaveError(null)} />}
      {exact.error && <ErrorNotice title="Exact measurement could not start" error={exact.error} onDismiss={exact.clearError} />}
      {latest.error && <ErrorNotice title="Could not read the saved inspections" error={latest.error} />}

      {run.running && (
        <div className="ov-waiting">
          <Waiting label={`Inspecting ${conn.name} (read-only)…`} startedAt={run.startedAt} timeoutMs={run.timeoutMs} onCancel={run.cancel} testId="overview-waiting" />
        </div>
      )}
      {!report ? (
        run.running ? null : run.error ? (
          <p className="muted">No inspection of {conn.name} is saved yet. Press Inspect now to try again.</p>
        ) : (
          <div className="page--center">
            <Spinner label="Reading the last inspection…" />
          </div>
        )
      ) : (
        <div data-testid="overview-report" data-report-id={report.id}>
          <NotesPanel notes={report.notes} />
          <SummaryTiles report={report} history={points} />
          <div className="ov-grid">
            <SpaceCard report={report} details={details} onToggleDetails={() => setDetails((d) => !d)} />
            <div className="ov-col">
              <RunsCard report={report} />
              <MaintenanceCard data={maintenance.data} error={maintenance.error} source={report.source} />
            </div>
          </div>
          {details && report.space?.kind === 'postgres' && <SpaceDetails space={report.space} />}
          <div className="ov-grid">
            <BacklogCard report={report} />
            <RetentionCard report={report} />
          </div>
          <GrowthCard history={points} />
          {report.space?.kind === 'postgres' && <ExactPanel space={report.space} jobId={exactJob} onStart={() => void startExact()} starting={exact.running} />}
        </div>
      )}
    </div>
  );
}
