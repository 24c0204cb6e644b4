/**
 * Calendar arithmetic in the operator's time zone with Intl only (no
 * dependency, runs on Workers): "yesterday" and "today" mean the operator's
 * local days, whatever the server's zone and across DST changes.
 */
const partsIn = (instant: Date, timeZone: string) => {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
};

/** Minutes the zone is ahead of UTC at that instant. */
const offsetMinutes = (instant: Date, timeZone: string) => {
  const p = partsIn(instant, timeZone);
  return (Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - instant.getTime()) / 60_000;
};

/** The instant local midnight starts the day `days` after the local day of `instant`. */
export function startOfLocalDay(instant: Date, timeZone: string, days = 0): Date {
  const p = partsIn(instant, timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day + days);
  // Twice, because the offset at the guess can differ from the offset at midnight on a DST day.
  let guess = wall - offsetMinutes(new Date(wall), timeZone) * 60_000;
  guess = wall - offsetMinutes(new Date(guess), timeZone) * 60_000;
  return new Date(guess);
}

/** "2026-11-25" for the operator's local day of that instant. */
export function localDate(instant: Date, timeZone: string): string {
  const p = partsIn(instant, timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** "2026-11-25 12:33 UTC": how chat messages and cards name a moment, the same on every transport. */
export const shortUtc = (instant: Date | string) => `${new Date(instant).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** The instant a wall-clock time ("09:30") falls at on a local day ("2026-12-01") in the zone, DST included. */
export function localInstant(day: string, time: string, timeZone: string): Date {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(year, month - 1, date, hour, minute);
  let guess = wall - offsetMinutes(new Date(wall), timeZone) * 60_000;
  guess = wall - offsetMinutes(new Date(guess), timeZone) * 60_000;
  return new Date(guess);
}
