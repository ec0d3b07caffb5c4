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

const UK_WALL = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

/** The UK calendar and clock at a moment, as numbers: what a date and time form shows for it. */
export function ukWallTime(at: Date | string): { year: number; month: number; day: number; hour: number; minute: number } {
  const parts = Object.fromEntries(UK_WALL.formatToParts(dateOf(at)).map((p) => [p.type, p.value]));
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day), hour: Number(parts.hour), minute: Number(parts.minute) };
}

/**
 * The moment a UK date and clock time name (what a person types into a form), or null when the
 * date is not a real one. In the hour the clocks go forward the time does not exist and is read as
 * GMT; in the hour they go back, the earlier (BST) moment is chosen.
 */
export function fromUkWallTime({ year, month, day, hour, minute }: { year: number; month: number; day: number; hour: number; minute: number }): Date | null {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  const check = new Date(asUtc);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || check.getUTCHours() !== hour || check.getUTCMinutes() !== minute) return null;
  // London is UTC or UTC+1: try the BST reading first, then GMT, and keep the one whose UK clock says what was typed.
  for (const offsetHours of [1, 0]) {
    const candidate = new Date(asUtc - offsetHours * 3_600_000);
    const wall = ukWallTime(candidate);
    if (wall.year === year && wall.month === month && wall.day === day && wall.hour === hour && wall.minute === minute) return candidate;
  }
  return new Date(asUtc);
}
