/**
 * How dates, times and sizes read on pages, in reports and in emails: UK time (Europe/London,
 * so BST is right), GOV.UK style ("27 November 2026", "14:05"). One place, so a page, a PDF and
 * an email never disagree about the same moment.
 */

const UK_DAY = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric', month: 'long', year: 'numeric' });
const UK_CLOCK = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const UK_DAY_PARTS = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: '2-digit', month: '2-digit', year: 'numeric' });
const CALENDAR_DAY = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });

const dateOf = (at: Date | string) => (typeof at === 'string' ? new Date(at) : at);

/** "27 November 2026", the day it is in the UK at that moment. */
export const ukDay = (at: Date | string): string => UK_DAY.format(dateOf(at));

/** "14:05", the UK clock at that moment. */
export const ukClock = (at: Date | string): string => UK_CLOCK.format(dateOf(at));

/** "27 November 2026, 14:05 (UK time)". */
export const ukDayTime = (at: Date | string): string => `${ukDay(at)}, ${ukClock(at)} (UK time)`;

/** The UK calendar day of a moment as a day count, so two moments can be compared in whole days. */
export function ukDayNumber(at: Date | string): number {
  const [dd, mm, yyyy] = UK_DAY_PARTS.format(dateOf(at)).split('/').map(Number) as [number, number, number];
  return Date.UTC(yyyy, mm - 1, dd) / 86_400_000;
}

/** "27 March 2027" for a date with no time of day (YYYY-MM-DD), as written. */
export const calendarDay = (isoDate: string): string => CALENDAR_DAY.format(new Date(`${isoDate}T00:00:00Z`));

/** "12.3 KB": a size a reader can picture. */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
