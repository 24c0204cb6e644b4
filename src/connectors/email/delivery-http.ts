import type { Clock } from '../../core/clock.js';
import { sha256Hex } from '../../core/ids.js';
import { retryableStatus, retryAfterMs } from '../../core/http-retry.js';
import { ConnectorError } from '../../kernel/connector.js';
import type { Delivery } from './delivery.js';

export interface EmailApiSettings {
  /** Root of the API; `/emails` is posted to. https://api.resend.com unless overridden (tests, a self-hosted relay). */
  url: string;
  apiKey: string;
  /** How long one POST may take before it counts as a broken connection. */
  timeoutMs?: number;
}

export const EMAIL_API_DEFAULT_URL = 'https://api.resend.com';
const DEFAULT_TIMEOUT_MS = 30_000;

/** An answer of the API that was not a success, with what it said. */
class EmailApiAnswer extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly code: string | undefined,
    readonly retryAfter: string | null,
  ) {
    super(`HTTP ${status}${detail ? `: ${detail}` : ''}`);
    this.name = 'EmailApiAnswer';
  }
}

/** Resend keeps Idempotency-Key values of up to 256 characters; a longer or non-ASCII key is sent as its hash, which is as stable. */
const idempotencyHeader = async (key: string) => (key.length <= 256 && /^[\x21-\x7e]+$/.test(key) ? key : `sha256-${await sha256Hex(key)}`);

const base64 = (content: unknown): string => {
  if (typeof content === 'string') return Buffer.from(content, 'utf8').toString('base64');
  if (content instanceof Uint8Array) return Buffer.from(content).toString('base64');
  throw new ConnectorError('An attachment of this email is a stream, which the email API cannot take; this is a bug in Keel.', { retryable: false });
};

const addressOf = (value: unknown): string => {
  if (typeof value === 'string') return value;
  const { name, address } = value as { name?: string; address: string };
  return name ? `${name} <${address}>` : address;
};

/**
 * Sends through an HTTP email API (Resend's `POST /emails`, JSON with a
 * Bearer key) over `fetch`, so a Worker can send email too. The action's key
 * goes with every attempt as the Idempotency-Key header, and the API keeps
 * one message per key, so a retry after a lost answer does not send a second.
 */
export function httpEmailDelivery(settings: EmailApiSettings, clock: Clock): Delivery {
  const endpoint = `${settings.url.replace(/\/+$/, '')}/emails`;
  const host = new URL(endpoint).host;
  return {
    via: 'api',
    async deliver(message, key) {
      const headers: Record<string, string> = { 'Message-ID': message.messageId };
      if (message.inReplyTo) headers['In-Reply-To'] = message.inReplyTo;
      if (message.references) headers.References = ([] as string[]).concat(message.references).join(' ');
      const attachments = (message.attachments ?? []).map((a) => ({ filename: a.filename, content: base64(a.content), content_type: a.contentType }));
      const calendar = message.icalEvent as { method: string; filename: string; content: string } | undefined;
      if (calendar)
        attachments.push({
          filename: calendar.filename,
          content: base64(calendar.content),
          content_type: `text/calendar; method=${calendar.method}; charset=utf-8`,
        });
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${settings.apiKey}`,
          'content-type': 'application/json',
          'idempotency-key': await idempotencyHeader(key),
        },
        body: JSON.stringify({
          from: addressOf(message.from),
          to: [addressOf(message.to)],
          subject: message.subject,
          text: message.text,
          headers,
          ...(attachments.length ? { attachments } : {}),
        }),
        redirect: 'manual',
        signal: AbortSignal.timeout(settings.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
      const text = await response.text();
      if (!response.ok) {
        let detail = text.slice(0, 300).trim();
        let code: string | undefined;
        try {
          const body = JSON.parse(text) as { message?: unknown; name?: unknown };
          if (typeof body.message === 'string') detail = body.message;
          if (typeof body.name === 'string') code = body.name;
        } catch {
          // Not JSON (a proxy's error page): the raw text above says what there is to say.
        }
        throw new EmailApiAnswer(response.status, code ? `${detail} (${code})` : detail, code, response.headers.get('retry-after'));
      }
      let id: unknown;
      try {
        id = (JSON.parse(text) as { id?: unknown }).id;
      } catch {
        id = undefined;
      }
      return { response: typeof id === 'string' ? `accepted by ${host} as ${id}` : `accepted by ${host}` };
    },
    // The API can be asked about a message by its own id only, which a crash mid-request never learned.
    accepted: async () => undefined,
    failure(error, to) {
      if (error instanceof ConnectorError) return { error, rejected: true };
      if (error instanceof EmailApiAnswer) {
        if (error.status === 401 || error.status === 403) {
          return {
            error: new ConnectorError(
              `The email API ${host} refused the key (${error.message}); check EMAIL_API_KEY, and that MAIL_FROM's domain is verified there.`,
              { retryable: false },
            ),
            rejected: true,
          };
        }
        if (retryableStatus(error.status) || (error.status === 409 && error.code !== 'invalid_idempotent_request')) {
          // 409: the same key is still being handled by the API (a concurrent attempt); it answers once that one is done.
          const wait = retryAfterMs(error.retryAfter, clock);
          const failure = new ConnectorError(
            `The email API ${host} could not take the message to ${to} for now (${error.message}); will try again.`,
            wait === undefined ? { retryable: true } : { retryable: true, retryAfterMs: wait },
          );
          // A server error may come after the API took the message; the retry carries the same Idempotency-Key, which the API answers without sending again.
          return { error: failure, rejected: error.status < 500 };
        }
        const fix = error.code === 'invalid_idempotent_request' ? 'the API holds a different message under this key' : 'check the address and MAIL_FROM';
        return {
          error: new ConnectorError(`The email API ${host} refused the message to ${to} (${error.message}); ${fix}.`, { retryable: false }),
          rejected: true,
        };
      }
      // No answer (refused connection, timeout): the API may have the message; the retry's Idempotency-Key keeps it to one.
      const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      return {
        error: new ConnectorError(`Could not reach the email API ${host}: ${reason}; will try again (check EMAIL_API_URL if this persists).`, {
          retryable: true,
        }),
        rejected: false,
      };
    },
  };
}
