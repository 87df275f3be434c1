/**
 * Growth over time as lines: one series per thing (database size, a table's dead rows, runs by
 * state). Hand-made SVG: a few gridlines, the first and last date, the max value; nothing else, so
 * the shape reads at a glance. With a single point there is no line yet, and it says so.
 */
export interface LineSeries {
  key: string;
  label: string;
  /** CSS class that sets the stroke (and the legend swatch's fill). */
  className: string;
  points: Array<{ t: number; v: number }>;
}

// About the width it is drawn at (three side by side on a laptop screen), so text stays legible.
const W = 320;
const H = 170;
const PAD = { left: 54, right: 8, top: 10, bottom: 22 };

export function LineChart({
  series,
  label,
  formatValue,
  formatTime,
  testId,
}: {
  series: LineSeries[];
  label: string;
  formatValue: (v: number) => string;
  formatTime: (t: number) => string;
  testId?: string;
}) {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return <p className="muted chart-line__empty">Nothing measured yet.</p>;
  const t0 = Math.min(...all.map((p) => p.t));
  const t1 = Math.max(...all.map((p) => p.t));
  const vMax = Math.max(1, ...all.map((p) => p.v)) * 1.08;
  const x = (t: number) => PAD.left + (t1 === t0 ? (W - PAD.left - PAD.right) / 2 : ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right));
  const y = (v: number) => PAD.top + (1 - v / vMax) * (H - PAD.top - PAD.bottom);
  const ticks = [0, 0.5, 1].map((f) => f * vMax);
  const single = series.every((s) => s.points.length <= 1);
  return (
    <figure className="chart-line" data-testid={testId}>
      <svg viewBox={`0 0 ${W} ${H}`} className="chart-line__svg" role="img" aria-label={label}>
        {ticks.map((v) => (
          <g key={v}>
            <line className="chart-line__grid" x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
            <text className="chart-line__tick" x={PAD.left - 6} y={y(v) + 4} textAnchor="end">
              {formatValue(v)}
            </text>
          </g>
        ))}
        <text className="chart-line__tick" x={PAD.left} y={H - 6} textAnchor="start">
          {formatTime(t0)}
        </text>
        {t1 !== t0 && (
          <text className="chart-line__tick" x={W - PAD.right} y={H - 6} textAnchor="end">
            {formatTime(t1)}
          </text>
        )}
        {series.map((s) => {
          const pts = [...s.points].sort((a, b) => a.t - b.t);
          return (
            <g key={s.key} className={s.className}>
              {pts.length > 1 && <polyline className="chart-line__line" points={pts.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ')} />}
              {pts.map((p) => (
                <circle key={p.t} className="chart-line__dot" cx={x(p.t)} cy={y(p.v)} r={pts.length > 1 ? 2.2 : 3.5}>
                  <title>{`${s.label}, ${formatTime(p.t)}: ${formatValue(p.v)}`}</title>
                </circle>
              ))}
            </g>
          );
        })}
      </svg>
      <figcaption className="chart-legend chart-legend--line">
        {series.map((s) => (
          <span key={s.key} className="chart-legend__item">
            <svg width="14" height="10" aria-hidden="true" className={`chart-legend__swatch ${s.className}`}>
              <line className="chart-line__line" x1="0" x2="14" y1="5" y2="5" />
            </svg>
            <span className="chart-legend__label">{s.label}</span>
          </span>
        ))}
        {single && <span className="muted chart-line__hint">One inspection so far: lines appear from the second.</span>}
      </figcaption>
    </figure>
  );
}
