/**
 * Money is kept in integer minor units with its currency, and hours in
 * hundredths, so totals never drift through floating point.
 */
export const minorDigits = (currency: string) => new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;

export const toMinor = (amount: number, currency: string) => Math.round(amount * 10 ** minorDigits(currency));

export const toCenti = (hours: number) => Math.round(hours * 100);

/** hours (in hundredths) × hourly rate (minor units) → total in minor units. */
export const lineTotal = (hoursCenti: number, rateMinor: number) => Math.round((hoursCenti * rateMinor) / 100);

export function formatMoney(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  const major = minor / 10 ** digits;
  return `${major.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${currency}`;
}

export const formatHours = (centi: number) => `${(centi / 100).toLocaleString('en-US', { maximumFractionDigits: 2 })} h`;
