/** The longest prefix of `text` whose escaped form fits `limit`, never splitting a surrogate pair. */
function longestFit(text: string, limit: number, escape: (s: string) => string): number {
  let length = 0;
  let cut = 0;
  for (const char of text) {
    length += escape(char).length;
    if (length > limit) break;
    cut += char.length;
  }
  return Math.max(cut, 1);
}

/**
 * Splits plain text into escaped pieces that each fit one message, at line
 * breaks where possible. Escaping after the split means no entity is cut in half.
 */
export function splitEscaped(text: string, limit: number, escape: (s: string) => string): string[] {
  const fits = (s: string) => escape(s).length <= limit;
  const pieces: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    const candidate = current ? `${current}\n${line}` : line;
    if (fits(candidate)) {
      current = candidate;
      continue;
    }
    if (current) pieces.push(current);
    let rest = line;
    while (!fits(rest)) {
      const cut = longestFit(rest, limit, escape);
      pieces.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    current = rest;
  }
  if (current.trim()) pieces.push(current);
  return pieces.map(escape);
}
