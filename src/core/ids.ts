/**
 * Identifiers come from an injected source so tests are reproducible.
 * Web Crypto is used (not node:crypto) because the same code runs on Workers.
 */
export interface IdSource {
  /** A sortable, unique id for rows. */
  id(prefix: string): string;
  /** An unguessable token: 16 random bytes, base64url. */
  secret(): string;
}

const toBase64Url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

export const randomIds: IdSource = {
  id(prefix) {
    const time = Date.now().toString(36).padStart(9, '0');
    const rand = crypto.getRandomValues(new Uint8Array(8));
    return `${prefix}_${time}${Array.from(rand, (b) => b.toString(16).padStart(2, '0')).join('')}`;
  },
  secret() {
    return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
  },
};

/** Counting ids for tests: prefix_1, prefix_2, … */
export function sequentialIds(): IdSource {
  let n = 0;
  return {
    id: (prefix) => `${prefix}_${String(++n).padStart(6, '0')}`,
    secret: () => `secret${String(++n).padStart(10, '0')}`,
  };
}

/** SHA-256 hex of a string (Web Crypto, so it works on Node and Workers). */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** JSON with sorted keys, so equal values hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
