/** Words too common to search for: they would match nearly every memory and drown the ones that matter. */
const stopwords = new Set(
  'a an and are as at be by can did do does for from had has have he her his how i in is it its kind know me my new of on or our same she so that the their them they this to us was we what when where which who why will with you your about draft proposal recall remember tell show'.split(
    ' ',
  ),
);

export const isStopword = (word: string) => stopwords.has(word.toLowerCase());

/**
 * The searchable terms of a query, kept whole: "2026-0003" and
 * "dana@acme.test" stay one term, which FTS5 then matches as a phrase.
 */
export function queryTerms(query: string): string[] {
  const terms = query
    .split(/\s+/)
    .map((t) =>
      t
        .replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '')
        .replace(/['’]s$/u, '')
        .toLowerCase(),
    )
    .filter((t) => t !== '' && !isStopword(t));
  return [...new Set(terms)];
}
