/**
 * Schedules in words keep every part of the schedule (issue #10 part 4): minutes are never dropped
 * from an rrule or a cron. Each description is also checked against the dates the schedule really
 * produces: every occurrence's time of day must be named by the words.
 */
import { describe as suite, expect, it } from 'vitest';
import { cronDates } from '../../shared/schedules/cron';
import { describe, describeCron, describeRRule } from '../../shared/schedules/describe';
import { rruleDates } from '../../shared/schedules/rrule';

const START = Date.UTC(2026, 2, 2, 0, 0); // a Monday

/**
 * Every occurrence agrees with the words: its HH:MM (or :MM for hourly forms) is named, or for "every
 * N minutes" its minute is a multiple of N; a "from HH:00 to HH:59" range holds its hour.
 */
function namesEveryTime(words: string, dates: number[]) {
  const step = /every (\d+) minutes/.exec(words);
  const range = /from (\d\d):00 to (\d\d):59/.exec(words);
  for (const d of dates) {
    const t = new Date(d);
    const hh = String(t.getUTCHours()).padStart(2, '0');
    const mm = String(t.getUTCMinutes()).padStart(2, '0');
    const named = step ? t.getUTCMinutes() % Number(step[1]) === 0 : words.includes(`${hh}:${mm}`) || words.includes(`:${mm}`);
    expect(named, `${words} does not name ${hh}:${mm}`).toBe(true);
    if (range) expect(t.getUTCHours() >= Number(range[1]) && t.getUTCHours() <= Number(range[2]), `${words} vs ${hh}:${mm}`).toBe(true);
  }
}

suite('rrule in words', () => {
  it.each([
    ['FREQ=DAILY;BYHOUR=9,13,17;BYMINUTE=5,35', 'at 09:05, 09:35, 13:05, 13:35, 17:05 and 17:35 every day'],
    ['FREQ=HOURLY;BYMINUTE=0,30', 'every hour at :00 and :30'],
    ['FREQ=MINUTELY;INTERVAL=10', 'every 10 minutes'],
    ['DTSTART:20260301T013000\nRRULE:FREQ=DAILY', 'at 01:30 every day'],
    ['FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=8;BYMINUTE=15', 'at 08:15 every Monday and Wednesday'],
    ['FREQ=MONTHLY;BYMONTHDAY=1;BYHOUR=3;BYMINUTE=0', 'at 03:00 on day 1 of every month'],
    ['FREQ=HOURLY;INTERVAL=2', 'every 2 hours at :00'],
    ['FREQ=DAILY;BYHOUR=8,9,10,11;BYMINUTE=0,30', 'every hour at :00 and :30 from 08:00 to 11:59 every day'],
  ])('%s -> %s', (rrule, words) => {
    expect(describeRRule(rrule)).toBe(words);
    expect(describe({ kind: 'rrule', rrule, timezone: 'UTC' } as never)).toBe(words);
    namesEveryTime(words, [...rruleDates({ rrule, timezone: 'UTC' }, { start: START, n: 30 })]);
  });

  it('shows a rule it cannot say completely as written, never in words that drop a part', () => {
    expect(describe({ kind: 'rrule', rrule: 'FREQ=YEARLY;BYMONTH=3;BYDAY=+2MO;BYHOUR=9;BYMINUTE=45', timezone: 'UTC' } as never)).toBe('rrule FREQ=YEARLY;BYMONTH=3;BYDAY=+2MO;BYHOUR=9;BYMINUTE=45');
  });
});

suite('cron in words', () => {
  it.each([
    ['0 2 * * *', 'at 02:00 every day'],
    ['5 * * * *', 'every hour at :05'],
    ['*/5 * * * *', 'every 5 minutes'],
    ['0,30 * * * *', 'every hour at :00 and :30'],
    ['5,35 9,13,17 * * *', 'at 09:05, 09:35, 13:05, 13:35, 17:05 and 17:35 every day'],
    ['0 9-17 * * 1-5', 'every hour at :00 from 09:00 to 17:59 on weekdays'],
    ['*/15 9-17 * * 1-5', 'every 15 minutes from 09:00 to 17:59 on weekdays'],
    ['0 9 * * 1,3,5', 'at 09:00 on Monday, Wednesday and Friday'],
    ['30 6 1 * *', 'at 06:30 on day 1 of every month'],
  ])('%s -> %s', (cron, words) => {
    expect(describeCron(cron)).toBe(words);
    namesEveryTime(words, [...cronDates({ cron, timezone: 'UTC', dayOr: true } as never, { start: START, n: 30 })]);
  });

  it('shows what it cannot say as written', () => {
    expect(describeCron('0 0 * 1 *')).toBe('cron 0 0 * 1 *');
    expect(describeCron('0 0 L * *')).toBe('cron 0 0 L * *');
  });
});
