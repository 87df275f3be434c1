/**
 * Growth over time as lines: one series per thing (database size, a table's dead rows, runs by
 * state). Drawn by uPlot (small, fast, canvas) behind this wrapper; screens never import it.
 *
 * The chart takes the width of its box (measured, redrawn on resize) at a fixed height, and its text
 * is a fixed 11 px: it never scales up like the old SVG drawn at 320 px and stretched (issue #13,
 * item 11). Colours come from the series' CSS classes (read once from the legend swatches), so they
 * stay in overview.css. uPlot styles its elements through the CSSOM (element.style), which the
 * CSP's `style-src 'self'` allows; the e2e suite fails on any CSP report.
 *
 * The legend shows each series' latest value, or its value under the cursor while hovering.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface LineSeries {
  key: string;
  label: string;
  /** CSS class that sets the stroke (the legend swatch reads it). */
  className: string;
  points: Array<{ t: number; v: number }>;
}

const HEIGHT = 180;
const FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

function cssVar(el: Element, name: string, fallback: string): string {
  return getComputedStyle(el).getPropertyValue(name).trim() || fallback;
}

/** [times in seconds, ...one value array per series] on the union of all times. */
function align(series: LineSeries[]): uPlot.AlignedData {
  const ts = [...new Set(series.flatMap((s) => s.points.map((p) => p.t)))].sort((a, b) => a - b);
  const at = new Map(ts.map((t, i) => [t, i]));
  const cols = series.map((s) => {
    const col: Array<number | null> = ts.map(() => null);
    for (const p of s.points) col[at.get(p.t)!] = p.v;
    return col;
  });
  return [ts.map((t) => t / 1000), ...cols] as uPlot.AlignedData;
}

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
  const box = useRef<HTMLDivElement>(null);
  const legend = useRef<HTMLElement>(null);
  const [cursor, setCursor] = useState<number | null>(null);
  const data = useMemo(() => align(series), [series]);
  const total = series.reduce((n, s) => n + s.points.length, 0);
  const single = series.every((s) => s.points.length <= 1);

  useEffect(() => {
    const el = box.current;
    if (!el || total === 0) return;
    const swatches = legend.current ? [...legend.current.querySelectorAll<SVGLineElement>('.chart-line__line')] : [];
    const colour = (i: number) => (swatches[i] ? getComputedStyle(swatches[i]).stroke : '') || cssVar(el, '--accent', '#2f5bd3');
    const grid = cssVar(el, '--border', '#e1e4e8');
    const text = cssVar(el, '--text-3', '#6a727d');
    const axis = { stroke: text, font: FONT, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1, size: 4 } };
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.08 : 1] } },
      axes: [
        // A label only where it says something new (inspections minutes apart share one).
        { ...axis, space: 90, values: (_u, splits) => splits.map((s) => formatTime(s * 1000)).map((l, i, all) => (i > 0 && all[i - 1] === l ? '' : l)) },
        { ...axis, space: 28, size: 62, values: (_u, splits) => splits.map((v) => formatValue(v)) },
      ],
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.label,
          stroke: colour(i),
          width: 1.8,
          spanGaps: true,
          points: { show: s.points.length <= 24, size: s.points.length > 1 ? 4 : 7, fill: colour(i) },
        })),
      ],
      hooks: {
        setCursor: [(u) => setCursor(u.cursor.idx ?? null)],
      },
    };
    const plot = new uPlot(opts, data, el);
    const ro = new ResizeObserver(() => {
      const w = Math.max(200, el.clientWidth);
      if (w !== plot.width) plot.setSize({ width: w, height: HEIGHT });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [data, series, total, formatTime, formatValue]);

  if (total === 0) return <p className="muted chart-line__empty">Nothing measured yet.</p>;
  const xs = data[0] as number[];
  const shownAt = (i: number): number | null => {
    const col = data[i + 1] as Array<number | null>;
    if (cursor !== null) return col[cursor] ?? null;
    for (let k = col.length - 1; k >= 0; k--) if (col[k] !== null && col[k] !== undefined) return col[k]!;
    return null;
  };
  return (
    <figure className="chart-line" data-testid={testId} aria-label={label} role="group">
      <div ref={box} className="chart-line__plot" role="img" aria-label={label} />
      <figcaption className="chart-legend chart-legend--line" ref={legend}>
        {cursor !== null && xs[cursor] !== undefined && <span className="chart-legend__when">{formatTime(xs[cursor]! * 1000)}</span>}
        {series.map((s, i) => {
          const v = shownAt(i);
          return (
            <span key={s.key} className="chart-legend__item">
              <svg width="14" height="10" aria-hidden="true" className={`chart-legend__swatch ${s.className}`}>
                <line className="chart-line__line" x1="0" x2="14" y1="5" y2="5" />
              </svg>
              <span className="chart-legend__label">{s.label}</span>
              {v !== null && <span className="chart-legend__value">{formatValue(v)}</span>}
            </span>
          );
        })}
        {single && <span className="muted chart-line__hint">One inspection so far: lines appear from the second.</span>}
      </figcaption>
    </figure>
  );
}
