/** How a transport hands over the bytes of a file the operator sent: fetched only once the event is admitted (not a duplicate, from an operator). */
export interface Upload {
  download(): Promise<Uint8Array>;
}

/** Documents and photos Keel keeps: the files store holds them, and the ledger records each put, so the size is bounded. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

/** PDFs and images: what the operator sends from a phone (a signed contract, a receipt photo). */
export const keepsFile = (contentType: string): boolean => contentType === 'application/pdf' || /^image\/(jpeg|png|webp|heic|heif|gif)$/.test(contentType);

/** How long a transport waits for a file's bytes (a voice note, a document) from its platform: a while on a slow link, never forever. */
export const DOWNLOAD_TIMEOUT_MS = 60_000;
