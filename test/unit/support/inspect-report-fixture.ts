/** A small but complete InspectReport for the formatting and store tests. */
import type { InspectReport, TableSpace } from '../../../shared/domain/inspect';

const MIB = 1024 * 1024;

export function table(name: string, over: Partial<TableSpace> = {}): TableSpace {
  return {
    name,
    prefect: true,
    rowsEstimate: 1_000_000,
    rowsExact: false,
    heapBytes: 800 * MIB,
    indexBytes: 300 * MIB,
    toastBytes: 8192,
    totalBytes: 1100 * MIB,
    liveTuples: 1_000_000,
    deadTuples: 250_000,
    deadShare: 0.2,
    modsSinceAnalyze: 1000,
    lastVacuum: null,
    lastAutovacuum: '2026-11-28T10:00:00.000Z',
    lastAnalyze: null,
    lastAutoanalyze: '2026-11-28T10:00:00.000Z',
    vacuumCount: 0,
    autovacuumCount: 3,
    autovacuum: { enabled: true, custom: false, vacuumThreshold: 50, vacuumScaleFactor: 0.2, analyzeThreshold: 50, analyzeScaleFactor: 0.1, vacuumTrigger: 200_050, vacuumProgress: 1.25, analyzeTrigger: 100_050, analyzeProgress: 0.01 },
    xidAge: 1234,
    bloat: { reclaimableBytes: 500 * MIB, expectedBytes: 300 * MIB, ratio: 0.625, confidence: { level: 'high', margin: 0.1, reasons: [] } },
    exact: null,
    verdict: { kind: 'rewrite', summary: 'About 500 MiB (63 %) of the file is free, "quoted", space.' },
    ...over,
  };
}

export function sampleReport(over: Partial<InspectReport> = {}): InspectReport {
  return {
    id: 'r-1',
    connectionId: null,
    connectionName: 'prod, eu',
    createdAt: '2026-11-29T09:00:00.000Z',
    durationMs: 412,
    source: 'postgres',
    server: { apiUrl: 'http://admin:s3cret@prefect.internal:4200/api', prefectVersion: '3.9.1', migration: '9e9dadc36797', database: 'PostgreSQL 15.8', databaseUser: 'prefect' },
    sections: [
      { id: 'server', status: 'ok', durationMs: 20, message: null },
      { id: 'space', status: 'ok', durationMs: 80, message: null },
      { id: 'runs', status: 'partial', durationMs: 300, message: null },
      { id: 'orphans', status: 'ok', durationMs: 100, message: null },
      { id: 'maintenance', status: 'ok', durationMs: 30, message: null },
    ],
    notes: [{ section: 'runs', level: 'warn', message: 'Counting PAUSED runs failed: permission denied', hint: 'GRANT SELECT ON flow_run TO monitor;' }],
    space: {
      kind: 'postgres',
      databaseName: 'prefect',
      databaseBytes: 4096 * MIB,
      xidAge: 50_000_000,
      xidFreezeMaxAge: 200_000_000,
      statsResetAt: null,
      tables: [table('flow_run'), table('log', { verdict: { kind: 'fine', summary: 'Little to reclaim.' }, deadTuples: 0, deadShare: 0 })],
      indexes: [
        { table: 'log', name: 'ix_log__flow_run_id', bytes: 40 * MIB, scans: 0, unique: false, primary: false, valid: true, definition: 'CREATE INDEX ix_log__flow_run_id ON public.log USING btree (flow_run_id)', unused: true, duplicateOf: 'ix_log__flow_run_id_timestamp', bloat: null, exact: null },
        { table: 'flow_run', name: 'ix_broken', bytes: 1 * MIB, scans: 0, unique: false, primary: false, valid: false, definition: 'CREATE INDEX ix_broken ON public.flow_run USING btree (x)', unused: true, duplicateOf: null, bloat: null, exact: null },
      ],
      reclaimableBytes: 1000 * MIB,
      reclaimableMarginBytes: 160 * MIB,
      pgstattuple: { installed: false, usable: false, howTo: 'CREATE EXTENSION pgstattuple;' },
    },
    runs: {
      method: 'sql',
      total: 1_000_000,
      totalExact: false,
      byType: [
        { type: 'COMPLETED', name: null, count: 900_000, exact: false },
        { type: 'SCHEDULED', name: null, count: 60_000, exact: true },
      ],
      byName: [
        { type: 'COMPLETED', name: 'Completed', count: 900_000, exact: false },
        { type: 'SCHEDULED', name: 'Late', count: 55_000, exact: true },
      ],
      late: {
        count: 55_000,
        exact: true,
        deployments: [
          { deploymentId: 'd1', name: 'etl/sync-every-2m', exists: true, paused: false, status: 'NOT_READY', lastPolled: '2026-11-20T00:00:00.000Z', count: 50_000, first: '2026-10-01T00:00:00.000Z', last: null },
          { deploymentId: 'deadbeef-0000', name: null, exists: false, paused: null, status: null, lastPolled: null, count: 5_000, first: '2026-09-01T00:00:00.000Z', last: null },
        ],
      },
      future: { count: 100, exact: true, deployments: [] },
      terminalByAge: [
        { days: 30, before: '2026-10-30T09:00:00.000Z', count: 600_000, exact: false },
        { days: 90, before: '2026-08-31T09:00:00.000Z', count: 80_000, exact: true },
      ],
      orphans: {
        deploymentGone: { count: 5_000, deployments: 1, oldest: '2026-09-01T00:00:00.000Z' },
        scheduleGone: { count: 12, oldest: null },
        logs: { count: 20_000, exact: false, sampledRows: 40_000, foundInSample: 400, margin: 3_000 },
        artifacts: { count: 3, exact: true, sampledRows: 100, foundInSample: 3, margin: 0 },
      },
      recent: null,
    },
    maintenance: {
      at: '2026-11-29T09:00:00.000Z',
      available: true,
      activities: [
        { pid: 42, kind: 'autovacuum', table: 'flow_run_state', phase: 'scanning heap', startedAt: '2026-11-29T08:59:00.000Z', progress: 0.4, heapBlocksTotal: 100, heapBlocksScanned: 40, heapBlocksVacuumed: 0, indexVacuumCount: 0, waiting: null },
      ],
      notes: [],
    },
    ...over,
  };
}
