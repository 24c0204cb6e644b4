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

/**
 * A synchronous SHA-256 the platform may install (Node's own hash, platform/node.ts): Web Crypto's
 * digest costs about 40 µs a call on Node against 1 µs, and ids and keys are hashed several times a turn.
 */
let nativeSha256: ((text: string) => string) | undefined;
export const installSha256 = (hash: (text: string) => string) => {
  nativeSha256 = hash;
};

/** SHA-256 hex of a string: the installed hash on Node, Web Crypto elsewhere (Workers); the same digest either way. */
export async function sha256Hex(text: string): Promise<string> {
  if (nativeSha256) return nativeSha256(text);
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** JSON with sorted keys, so equal values hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
