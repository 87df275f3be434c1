/**
 * Rows of horizontal bars on one shared scale (sizes per table, runs per retention period): the eye
 * compares lengths, the text at the right gives the number. Each bar may be split into parts.
 */
import type { ReactNode } from 'react';

export interface BarRow {
  key: string;
  label: ReactNode;
  parts: Array<{ value: number; className: string; title: string }>;
  value: ReactNode;
  /** Small text under the label (a verdict, a note). */
  sub?: ReactNode;
}

const WIDTH = 1000;

export function BarList({ rows, label, testId }: { rows: BarRow[]; label: string; testId?: string }) {
  const max = Math.max(1, ...rows.map((r) => r.parts.reduce((s, p) => s + Math.max(0, p.value), 0)));
  return (
    <div className="chart-bars" role="list" aria-label={label} data-testid={testId}>
      {rows.map((r) => {
        let x = 0;
        return (
          <div className="chart-bars__row" role="listitem" key={r.key} data-testid={testId ? `${testId}-row` : undefined} data-key={r.key}>
            <div className="chart-bars__label">
              {r.label}
              {r.sub && <div className="chart-bars__sub">{r.sub}</div>}
            </div>
            <svg className="chart-bars__track" viewBox={`0 0 ${WIDTH} 12`} preserveAspectRatio="none" height="12" aria-hidden="true">
              <rect className="chart-bars__bg" x={0} y={0} width={WIDTH} height={12} />
              {r.parts.map((p, i) => {
                const w = (Math.max(0, p.value) / max) * WIDTH;
                const el = (
                  <rect key={i} className={p.className} x={x} y={0} width={w} height={12}>
                    <title>{p.title}</title>
                  </rect>
                );
                x += w;
                return el;
              })}
            </svg>
            <div className="chart-bars__value">{r.value}</div>
          </div>
        );
      })}
    </div>
  );
}
