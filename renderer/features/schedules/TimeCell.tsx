/** A run time: wall clock in the schedule's zone, offset small. */
import { splitTime } from './format';

export function TimeCell({ iso }: { iso: string | null | undefined }) {
  const t = splitTime(iso);
  if (!t) return <span className="muted">—</span>;
  return (
    <span className="sched-time mono" title={iso ?? undefined}>
      {t.date && <span className="sched-time__date">{t.date.slice(5)}</span>} {t.time}
      {t.offset && <span className="sched-time__off">{t.offset}</span>}
    </span>
  );
}
