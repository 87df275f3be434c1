/**
 * Growth from the saved inspections of this connection: database size, the big tables' sizes and
 * dead rows, and runs by state over time. Each inspection adds a point.
 */
import { useMemo } from 'react';
import type { HistoryPoint } from '../../../shared/domain/inspect';
import { LineChart, type LineSeries } from '../../components/charts/LineChart';
import { formatBytes, formatCompact, formatShortDateTime, localZoneLabel, plural } from '../../lib/format';
import { stateClass, typeLabel } from './classes';

const TABLE_SERIES = ['flow_run', 'flow_run_state', 'log', 'events'];

/** Axis and legend times: "12-04 09:14" in the viewer's zone (named once in the card's heading). */
const dateLabel = (t: number) => formatShortDateTime(t, { minutes: true, bare: true });

export function GrowthCard({ history }: { history: HistoryPoint[] }) {
  // Memoised: the Overview re-renders every few seconds (live maintenance), the charts must not.
  const { size, dead, runs } = useMemo(() => growthSeries(history), [history]);
  return (
    <section className="card ov-card" data-testid="overview-growth" aria-labelledby="ov-growth-title">
      <h2 className="ov-card__title" id="ov-growth-title">
        Over time
        <span className="ov-card__meta">
          {plural(history.length, 'inspection')} saved · times in {localZoneLabel()}
        </span>
      </h2>
      <div className="ov-growth">
        {size.length > 0 && (
          <div>
            <div className="ov-subtitle">Size</div>
            <LineChart series={size} label="Database and table sizes over time" formatValue={formatBytes} formatTime={dateLabel} testId="growth-size" />
          </div>
        )}
        {dead.length > 0 && (
          <div>
            <div className="ov-subtitle">Dead rows</div>
            <LineChart series={dead} label="Dead rows over time" formatValue={formatCompact} formatTime={dateLabel} testId="growth-dead" />
          </div>
        )}
        {runs.length > 0 && (
          <div>
            <div className="ov-subtitle">Runs by state</div>
            <LineChart series={runs} label="Runs by state over time" formatValue={formatCompact} formatTime={dateLabel} testId="growth-runs" />
          </div>
        )}
      </div>
    </section>
  );
}

function growthSeries(history: HistoryPoint[]): { size: LineSeries[]; dead: LineSeries[]; runs: LineSeries[] } {
  const pts = history.map((p) => ({ ...p, t: Date.parse(p.at) }));
  const size: LineSeries[] = [
    { key: 'db', label: 'database', className: 'ov-line ov-line--db', points: pts.filter((p) => p.databaseBytes !== null).map((p) => ({ t: p.t, v: p.databaseBytes! })) },
    ...TABLE_SERIES.filter((t) => pts.some((p) => p.tables[t])).map((t, i) => ({
      key: t,
      label: t,
      className: `ov-line ov-line--t${i}`,
      points: pts.filter((p) => p.tables[t]).map((p) => ({ t: p.t, v: p.tables[t]!.bytes })),
    })),
  ].filter((s) => s.points.length > 0);
  const dead: LineSeries[] = TABLE_SERIES.filter((t) => pts.some((p) => p.tables[t]?.dead != null)).map((t, i) => ({
    key: t,
    label: t,
    className: `ov-line ov-line--t${i}`,
    points: pts.filter((p) => p.tables[t]?.dead != null).map((p) => ({ t: p.t, v: p.tables[t]!.dead! })),
  }));
  const types = [...new Set(pts.flatMap((p) => Object.keys(p.runsByType)))];
  const runs: LineSeries[] = types.map((type) => ({
    key: type,
    label: typeLabel(type),
    className: `ov-line ${stateClass(type)}`,
    points: pts.filter((p) => p.runsByType[type] !== undefined).map((p) => ({ t: p.t, v: p.runsByType[type]! })),
  }));
  return { size, dead, runs };
}
