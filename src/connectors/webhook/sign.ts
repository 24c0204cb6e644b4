/**
 * The signature receivers check: hex HMAC-SHA256 of "<timestamp>.<body>" with
 * WEBHOOK_SECRET. The timestamp is inside the signed text so a captured
 * request cannot be replayed later under a fresh timestamp. Web Crypto, so it
 * also runs on Workers.
 */
export async function signWebhook(secret: string, timestamp: string, body: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(`${timestamp}.${body}`));
  return Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, '0')).join('');
}
