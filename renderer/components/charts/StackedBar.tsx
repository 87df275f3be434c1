/**
 * One horizontal bar split into parts (runs by state, a table's heap / indexes / TOAST), drawn as SVG
 * so widths are attributes (the CSP forbids inline styles) and colours come from CSS classes. A part
 * too thin to see still gets a sliver, so a small but alarming share (Failed, Crashed) is never
 * invisible; the legend carries the exact numbers.
 */
export interface BarPart {
  key: string;
  label: string;
  value: number;
  /** CSS class that sets `fill` (and the legend swatch's background). */
  className: string;
  /** Text shown in the legend after the label, e.g. "≈812,000". */
  valueText?: string;
}

const WIDTH = 1000;
const MIN_SLIVER = 4;

export function StackedBar({ parts, height = 18, label, legend = true, testId }: { parts: BarPart[]; height?: number; label: string; legend?: boolean; testId?: string }) {
  const total = parts.reduce((s, p) => s + Math.max(0, p.value), 0);
  const visible = parts.filter((p) => p.value > 0);
  // Widths with a minimum sliver, then scaled back so they still add up to the full bar.
  const raw = visible.map((p) => (total > 0 ? Math.max(MIN_SLIVER, (p.value / total) * WIDTH) : 0));
  const scale = raw.reduce((s, w) => s + w, 0) > 0 ? WIDTH / raw.reduce((s, w) => s + w, 0) : 0;
  let x = 0;
  return (
    <div className="chart-stack" data-testid={testId}>
      <svg className="chart-stack__bar" viewBox={`0 0 ${WIDTH} ${height}`} preserveAspectRatio="none" height={height} role="img" aria-label={label}>
        <rect className="chart-stack__track" x={0} y={0} width={WIDTH} height={height} rx={0} />
        {visible.map((p, i) => {
          const w = raw[i]! * scale;
          const r = (
            <rect key={p.key} className={p.className} x={x} y={0} width={Math.max(0, w - (i < visible.length - 1 ? 2 : 0))} height={height}>
              <title>{`${p.label}: ${p.valueText ?? p.value}`}</title>
            </rect>
          );
          x += w;
          return r;
        })}
      </svg>
      {legend && (
        <ul className="chart-legend">
          {parts.map((p) => (
            <li key={p.key} className="chart-legend__item" data-testid={testId ? `${testId}-${p.key}` : undefined}>
              <svg width="10" height="10" aria-hidden="true" className="chart-legend__swatch">
                <rect className={p.className} width="10" height="10" rx="2" />
              </svg>
              <span className="chart-legend__label">{p.label}</span>
              <span className="chart-legend__value">{p.valueText ?? p.value}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
