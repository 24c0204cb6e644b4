/**
 * Phone typing: abbreviations and one-slip typos of the words the grammars
 * key on, put right before any grammar reads the message. Only lowercase
 * words are touched, so names as written ("Tom", "Beta GmbH") stay as they are.
 */

/** Shorthand as people type it; keys are whole lowercase words. */
const shorthand: Record<string, string> = {
  w: 'with',
  'w/': 'with',
  abt: 'about',
  wht: 'what',
  whats: "what's",
  whos: "who's",
  hasnt: "hasn't",
  havent: "haven't",
  didnt: "didn't",
  doesnt: "doesn't",
  isnt: "isn't",
  tmrw: 'tomorrow',
  tmr: 'tomorrow',
  tmw: 'tomorrow',
  tmrow: 'tomorrow',
  tomoz: 'tomorrow',
  wk: 'week',
  wks: 'weeks',
  mins: 'minutes',
  cal: 'call',
  mtg: 'meeting',
  u: 'you',
  plz: 'please',
  pls: 'please',
  thx: 'thanks',
  ty: 'thanks',
  asap: 'asap',
  inv: 'invoice',
  // Weekdays as typed; "sat" and "sun" are words too, so they count only after "on" or "next" (dates.ts).
  mon: 'monday',
  tue: 'tuesday',
  tues: 'tuesday',
  wed: 'wednesday',
  thu: 'thursday',
  thur: 'thursday',
  thurs: 'thursday',
  fri: 'friday',
};

/** The words grammars look for; a lowercase word one slip away from one of them is read as it. */
const keywords = [
  'invoice',
  'invoices',
  'schedule',
  'remember',
  'remind',
  'follow',
  'proposal',
  'client',
  'customer',
  'status',
  'task',
  'todo',
  'accepted',
  'declined',
  'meeting',
  'linkedin',
  'tomorrow',
  'payment',
  'overdue',
  'unpaid',
  'newsletter',
  'project',
  'approve',
  'deadline',
  'outstanding',
  'reminder',
];

/** Real words one slip away from a keyword, which must stay as written. */
const genuine = new Set([
  ...keywords.flatMap((word) => [word, `${word}s`, `${word}d`, `${word}ed`, `${word}ing`, `${word}r`, `${word}er`]),
  'accept',
  'accepts',
  'decline',
  'declines',
  'fellow',
  'hollow',
  'fallow',
  'rewind',
  'rebind',
  'remand',
  'remained',
  'protect',
  'projector',
  'cliente',
  'statue',
  'statues',
  'meting',
  'melting',
  'excepted',
  'reclined',
  'pavement',
  'headline',
  'headlines',
  'remainder',
  'remainders',
]);

/** Damerau–Levenshtein distance, capped: anything above `max` reports max + 1. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/** Swapped neighbours only: "tsak" → "task". */
const isTransposition = (a: string, b: string) =>
  a.length === b.length &&
  [...a].some(
    (_, i) =>
      i + 1 < a.length && a[i] !== b[i] && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2) && a.slice(0, i) === b.slice(0, i),
  );

/** Words already looked at: an operator's vocabulary is small, and each word costs an edit distance to every keyword. */
const corrected = new Map<string, string | null>();
const CORRECTED_WORDS = 10_000;

/** The keyword a lowercase word was meant to be, if it is a near miss: one edit for long words, a swap for short ones. */
export function correctWord(word: string): string | undefined {
  if (word.length < 4 || genuine.has(word) || !/^[a-z]+$/.test(word)) return undefined;
  const known = corrected.get(word);
  if (known !== undefined) return known ?? undefined;
  const keyword = keywords.find((candidate) => (candidate.length >= 6 ? distance(word, candidate, 1) <= 1 : isTransposition(word, candidate)));
  if (corrected.size >= CORRECTED_WORDS) corrected.clear();
  corrected.set(word, keyword ?? null);
  return keyword;
}

/** Expands shorthand and corrects near-miss keywords word by word, keeping punctuation and spacing; addresses and handles are left alone. */
export function normalizeTyping(text: string): string {
  return text
    .split(/(\s+)/)
    .map((chunk, index) => {
      if (/[@\d_]|\.\p{L}|:\S/u.test(chunk)) return chunk;
      // "ad Omega as a client": only as the first word is "ad" a slip for "add" rather than an advert.
      if (index === 0 && /^ad$/i.test(chunk)) return 'add';
      return chunk.replace(/[\p{L}'’/]+/gu, (token) => {
        const lower = token.toLowerCase();
        const capitalisedFirst = index === 0 && token.slice(1) === lower.slice(1);
        if (token !== lower && !capitalisedFirst) return token;
        return shorthand[lower] ?? correctWord(lower) ?? token;
      });
    })
    .join('');
}
