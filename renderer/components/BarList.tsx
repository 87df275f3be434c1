/**
 * Horizontal bars for "how much of what": one row per item, the bar's length relative to the
 * largest, the number always printed beside it (a bar alone is not a number). Presentational.
 */
import { formatCount } from '../lib/format';

export interface BarItem {
  key: string;
  label: string;
  value: number;
  /** A second, overlaid share of the value (e.g. how many of these are Late). */
  part?: number;
  note?: string;
}

export function BarList({ items, partLabel, max = 12, testId }: { items: BarItem[]; partLabel?: string; max?: number; testId?: string }) {
  const shown = items.slice(0, max);
  const top = Math.max(1, ...shown.map((i) => i.value));
  return (
    <div className="bars" data-testid={testId}>
      {shown.map((i) => (
        <div className="bars__row" key={i.key}>
          <div className="bars__label" title={i.label}>
            {i.label}
            {i.note && <span className="bars__note"> {i.note}</span>}
          </div>
          <div className="bars__track" aria-hidden="true">
            <div className="bars__fill" style={{ width: `${(100 * i.value) / top}%` }}>
              {i.part !== undefined && i.part > 0 && <div className="bars__part" style={{ width: `${(100 * i.part) / Math.max(1, i.value)}%` }} />}
            </div>
          </div>
          <div className="bars__value">
            {formatCount(i.value)}
            {i.part !== undefined && partLabel && <span className="bars__sub"> ({formatCount(i.part)} {partLabel})</span>}
          </div>
        </div>
      ))}
      {items.length > shown.length && <div className="bars__more">and {items.length - shown.length} more</div>}
    </div>
  );
}
