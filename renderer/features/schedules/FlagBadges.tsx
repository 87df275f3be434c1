/**
 * Flags as small badges, worst first; the message is the tooltip, and the opened row lists them in
 * full. Info flags (old anchor, multi, inactive) show in grey: they explain, they do not alarm.
 */
import type { FlagCode, ScheduleFlag } from '../../../shared/domain/schedules';
import { Badge, type Tone } from '../../components/Badge';

const TONE: Record<ScheduleFlag['severity'], Tone> = { info: 'neutral', warn: 'warn', danger: 'fail' };
export const FLAG_LABEL: Record<FlagCode, string> = {
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

/** The flags that ask for action (warn and danger). */
export function attentionFlags(flags: ScheduleFlag[]): ScheduleFlag[] {
  return flags.filter((f) => f.severity !== 'info');
}

export function FlagBadges({ flags, quiet = false }: { flags: ScheduleFlag[]; quiet?: boolean }) {
  const shown = quiet ? attentionFlags(flags) : flags;
  if (shown.length === 0) return null;
  return (
    <span className="badges" data-testid="schedule-flags">
      {shown.map((f) => (
        <Badge key={f.code} tone={TONE[f.severity]} title={f.message}>
          {FLAG_LABEL[f.code]}
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
          <strong>{FLAG_LABEL[f.code]}</strong> {f.message}
        </li>
      ))}
    </ul>
  );
}
