/**
 * Dates, times and durations as written in a scheduling request, resolved
 * against an injected "now" in the operator's time zone, and formatted as
 * ISO 8601 with that zone's offset on the day of the meeting.
 */

export interface CalendarDate {
  year: number;
  month: number; // 1–12
  day: number;
}

export interface TimeOfDay {
  hour: number;
  minute: number;
}

/** Fails fast on a misconfigured zone; otherwise Intl would throw at the first meeting. */
export function assertTimeZone(timeZone: string): void {
  try {
    formatter(timeZone);
  } catch (error) {
    throw new Error(`Unknown time zone "${timeZone}"; use an IANA name such as Europe/Berlin or UTC.`, { cause: error });
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** The wall-clock reading in `timeZone` at `epochMs`, itself expressed as a UTC epoch. */
function wallClockMs(epochMs: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(epochMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const at = (key: string) => parts[key] ?? 0;
  return Date.UTC(at('year'), at('month') - 1, at('day'), at('hour'), at('minute'), at('second'));
}

function offsetMinutes(epochMs: number, timeZone: string): number {
  const wholeSecond = Math.floor(epochMs / 1000) * 1000;
  return Math.round((wallClockMs(wholeSecond, timeZone) - wholeSecond) / 60_000);
}

export function today(now: Date, timeZone: string): CalendarDate {
  const wall = new Date(wallClockMs(now.getTime(), timeZone));
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
}

export function addDays(date: CalendarDate, days: number): CalendarDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

function weekday(date: CalendarDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

function isRealDate(year: number, month: number, day: number): boolean {
  const probe = new Date(Date.UTC(year, month - 1, day));
  return probe.getUTCFullYear() === year && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
}

function compare(a: CalendarDate, b: CalendarDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

const weekdays = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const monthWord = String.raw`(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`;
const dayMonth = new RegExp(String.raw`\b(\d{1,2})(?:st|nd|rd|th)?(?: of)?\s+${monthWord}(?:,?\s+(\d{4}))?\b`, 'i');
const monthDay = new RegExp(String.raw`\b${monthWord}\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b`, 'i');
// Abbreviations such as "sat" or "sun" are ordinary words, so they count only after "on", "next" or "this".
const weekdayPattern =
  /\b(?:(?:on|next|this|coming)\s+(mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\b|(monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b)/i;

/** A date relative to `base` (today in the operator's zone), or undefined when the text names none. */
export function parseDate(text: string, base: CalendarDate): CalendarDate | undefined {
  const iso = /\b(\d{4})-(\d{2})-(\d{2})\b/.exec(text);
  if (iso) return calendarDate(Number(iso[1]), Number(iso[2]), Number(iso[3]));

  const dm = dayMonth.exec(text);
  if (dm) return monthDate(Number(dm[1]), dm[2] ?? '', dm[3], base);
  const md = monthDay.exec(text);
  if (md) return monthDate(Number(md[2]), md[1] ?? '', md[3], base);

  if (/\bday after tomorrow\b/i.test(text)) return addDays(base, 2);
  if (/\btomorrow\b/i.test(text)) return addDays(base, 1);
  if (/\b(?:today|tonight|this (?:morning|afternoon|evening))\b/i.test(text)) return base;

  const inDays = /\bin (\d{1,3}|a|one|two|three) (day|week)s?\b/i.exec(text);
  if (inDays) {
    const count = ({ a: 1, one: 1, two: 2, three: 3 } as Record<string, number>)[inDays[1]?.toLowerCase() ?? ''] ?? Number(inDays[1]);
    return addDays(base, inDays[2]?.toLowerCase() === 'week' ? count * 7 : count);
  }

  const day = weekdayPattern.exec(text);
  if (day) {
    const name = (day[1] ?? day[2] ?? '').toLowerCase().slice(0, 3);
    const target = weekdays.findIndex((w) => w.startsWith(name));
    // The first such weekday after today: "Friday" said on a Friday means a week later.
    const ahead = ((target - weekday(base) + 6) % 7) + 1;
    return addDays(base, ahead);
  }
  return undefined;
}

function calendarDate(year: number, month: number, day: number): CalendarDate | undefined {
  return isRealDate(year, month, day) ? { year, month, day } : undefined;
}

/** "3 December" without a year is the next 3 December, today included. */
function monthDate(day: number, month: string, year: string | undefined, base: CalendarDate): CalendarDate | undefined {
  const monthIndex = months.indexOf(month.toLowerCase().slice(0, 3)) + 1;
  if (year !== undefined) return calendarDate(Number(year), monthIndex, day);
  const thisYear = calendarDate(base.year, monthIndex, day);
  if (thisYear !== undefined && compare(thisYear, base) >= 0) return thisYear;
  return calendarDate(base.year + 1, monthIndex, day);
}

/** Below this, an hour said without am or pm is read in the afternoon: "a call on Friday at 2" is not at 2 in the night. */
const FIRST_MORNING_HOUR = 7;

/** "at 10:00", "14:30", "at 2pm", "at 9.30 am", "at noon", "at 2" (14:00); undefined when no time is given. */
export function parseTime(text: string): TimeOfDay | undefined {
  if (/\b(?:noon|midday)\b/i.test(text)) return { hour: 12, minute: 0 };
  const match =
    /(?:^|[^\d:.-])(\d{1,2})[:.](\d{2})(?![:.\d-])(?:\s*([ap])\.?m\b\.?)?/i.exec(text) ??
    /\b(\d{1,2})()\s*([ap])\.?m\.?(?!\w)/i.exec(text) ??
    /\bat\s+(\d{1,2})()(?![\d:.,-]|\s*(?:hours?\b|hrs?\b|min(?:ute)?s?\b|days?\b|weeks?\b|euros?\b|dollars?\b|[€$£%]))/i.exec(text);
  if (!match) return undefined;
  let hour = Number(match[1]);
  const minute = match[2] ? Number(match[2]) : 0;
  const half = match[3]?.toLowerCase();
  if (half !== undefined) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (half === 'p' ? 12 : 0);
  } else if (hour >= 1 && hour < FIRST_MORNING_HOUR && !/^0/.test(match[1]!)) {
    hour += 12;
  }
  return hour <= 23 && minute <= 59 ? { hour, minute } : undefined;
}

/** "for 45 minutes", "for 1.5 hours", "for an hour", "90-minute call", "half an hour"; undefined when none is given. */
export function parseDuration(text: string): number | undefined {
  if (/\bhalf an hour\b/i.test(text)) return 30;
  if (/\bfor (?:an|one) hour\b|\bone-hour\b|\bhour-long\b/i.test(text)) return 60;
  const match = /\b(\d+(?:[.,]\d+)?)[\s-]*(minutes?|mins?|hours?|hrs?|h)\b/i.exec(text);
  if (!match) return undefined;
  const amount = Number((match[1] ?? '').replace(',', '.'));
  const minutes = /^h/i.test(match[2] ?? '') ? amount * 60 : amount;
  return Number.isFinite(minutes) ? Math.round(minutes) : undefined;
}

/**
 * The instant a wall-clock time in `timeZone` denotes, as "2026-12-03T14:30:00+01:00".
 * The offset is the zone's on that day, so summer and winter meetings both come out right.
 */
export function zonedIso(date: CalendarDate, time: TimeOfDay, timeZone: string): string {
  const wall = Date.UTC(date.year, date.month - 1, date.day, time.hour, time.minute);
  let instant = wall - offsetMinutes(wall, timeZone) * 60_000;
  // Near a DST switch the first guess uses the wrong side's offset; one correction settles it.
  instant = wall - offsetMinutes(instant, timeZone) * 60_000;
  const offset = offsetMinutes(instant, timeZone);
  const local = new Date(instant + offset * 60_000).toISOString().slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Whether a wall-clock time today has already passed, so a bare "at 9:00" means tomorrow. */
export function isPast(date: CalendarDate, time: TimeOfDay, now: Date, timeZone: string): boolean {
  return Date.parse(zonedIso(date, time, timeZone)) <= now.getTime();
}
