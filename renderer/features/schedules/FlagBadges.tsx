/** Flags as small badges; the message is the tooltip, and the expanded row lists them in full. */
import type { ScheduleFlag } from '../../../shared/domain/schedules';
import { Badge, type Tone } from '../../components/Badge';

const TONE: Record<ScheduleFlag['severity'], Tone> = { info: 'neutral', warn: 'warn', danger: 'fail' };
const LABEL: Record<ScheduleFlag['code'], string> = {
  'anchor-far-past': 'old anchor',
  'dtstart-far-past': 'old DTSTART',
  'rrule-no-dtstart': 'no DTSTART',
  'sub-minute': 'sub-minute',
  'over-kept': 'too many runs',
  'off-lattice': 'off schedule',
  'left-behind': 'left behind',
  'orphaned-runs': 'orphaned runs',
  'paused-backlog': 'paused + backlog',
  'late-backlog': 'Late backlog',
  'multi-schedule': 'multi',
  inactive: 'inactive',
  unpredictable: 'unpredictable',
};

export function FlagBadges({ flags, quiet = false }: { flags: ScheduleFlag[]; quiet?: boolean }) {
  const shown = quiet ? flags.filter((f) => f.severity !== 'info') : flags;
  if (shown.length === 0) return null;
  return (
    <span className="badges">
      {shown.map((f) => (
        <Badge key={f.code} tone={TONE[f.severity]} title={f.message}>
          {LABEL[f.code]}
        </Badge>
      ))}
    </span>
  );
}

export function FlagList({ flags }: { flags: ScheduleFlag[] }) {
  if (flags.length === 0) return null;
  return (
    <ul className="sched-flags">
      {flags.map((f) => (
        <li key={f.code} className={`sched-flags__item sched-flags__item--${f.severity}`}>
          <strong>{LABEL[f.code]}</strong> {f.message}
        </li>
      ))}
    </ul>
  );
}
