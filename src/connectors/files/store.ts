/** Where file contents live, named by their SHA-256 so writing the same bytes twice is one blob. */
export interface BlobStore {
  put(bytes: Uint8Array): Promise<{ sha256: string; size: number }>;
  get(sha256: string): Promise<Uint8Array | undefined>;
  remove(sha256: string): Promise<void>;
}

export const sha256Bytes = async (bytes: Uint8Array): Promise<string> => {
  // Copied into a plain ArrayBuffer-backed view, which is what Web Crypto accepts.
  const digest = await crypto.subtle.digest('SHA-256', new Uint8Array(bytes));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
};
