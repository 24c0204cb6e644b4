import { ImapFlow } from 'imapflow';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import type { IncomingMail, Mailbox } from './mailbox.js';

/** Largest message downloaded whole: enough for any reply's text; beyond it only the envelope is read. */
const MAX_SOURCE_BYTES = 1_000_000;

/** "imaps://user:pass@host:993/INBOX" → what ImapFlow needs; the mailbox path defaults to INBOX. */
export function imapSettings(url: string) {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'imaps:';
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : secure ? 993 : 143,
    secure,
    user: decodeURIComponent(parsed.username),
    pass: decodeURIComponent(parsed.password),
    path: decodeURIComponent(parsed.pathname.replace(/^\/+/, '')) || 'INBOX',
  };
}

const firstAddress = (value: AddressObject | AddressObject[] | undefined) => (Array.isArray(value) ? value[0] : value)?.value[0];

function fromSource(uid: number, mail: ParsedMail): IncomingMail {
  const from = firstAddress(mail.from);
  return {
    uid,
    messageId: mail.messageId,
    fromAddress: from?.address,
    fromName: from?.name || undefined,
    subject: mail.subject ?? '',
    text: (mail.text ?? '').trim(),
    inReplyTo: mail.inReplyTo,
    references: typeof mail.references === 'string' ? [mail.references] : (mail.references ?? []),
    date: mail.date,
  };
}

/** Errors that say what to fix: the server's own words for a refused login, the address for an unreachable server. */
function readFailure(error: unknown, where: string): Error {
  const e = error as Error & { authenticationFailed?: boolean; code?: string; responseText?: string };
  if (e.authenticationFailed)
    return new Error(`The IMAP server ${where} refused the login${e.responseText ? ` (${e.responseText})` : ''}; check the user and password in IMAP_URL.`);
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'ETIMEDOUT')
    return new Error(`Could not reach the IMAP server ${where} (${e.code}); will try again at the next poll.`);
  return new Error(`Reading replies from ${where} failed: ${e.responseText ?? e.message}`);
}

/**
 * Reads the mailbox at IMAP_URL with imapflow, one short connection per poll
 * (a poll a minute does not justify holding a connection open). Node only.
 */
export function imapMailbox(url: string): Mailbox {
  const s = imapSettings(url);
  const name = `${s.user}@${s.host}/${s.path}`;
  return {
    name,
    async read(since, limit) {
      const client = new ImapFlow({ host: s.host, port: s.port, secure: s.secure, auth: { user: s.user, pass: s.pass }, logger: false, disableAutoIdle: true });
      // A dropped connection is reported through the awaited calls below; the event only must not crash the process.
      client.on('error', () => undefined);
      try {
        await client.connect();
        const lock = await client.getMailboxLock(s.path, { readOnly: true });
        try {
          const box = client.mailbox;
          if (!box) throw new Error(`The mailbox ${s.path} could not be opened.`);
          const uidValidity = Number(box.uidValidity);
          if (since.uidValidity !== uidValidity) return { uidValidity, lastUid: Math.max(0, box.uidNext - 1), messages: [] };
          if (box.uidNext <= since.afterUid + 1) return { uidValidity, lastUid: since.afterUid, messages: [] };
          const uids = ((await client.search({ uid: `${since.afterUid + 1}:*` }, { uid: true })) || [])
            .filter((uid) => uid > since.afterUid)
            .sort((a, b) => a - b)
            .slice(0, limit);
          const messages: IncomingMail[] = [];
          if (uids.length) {
            // Sizes first: a message with huge attachments is read from its envelope alone, never downloaded whole.
            const sizes = new Map<number, number>();
            for await (const m of client.fetch(uids.join(','), { uid: true, size: true }, { uid: true })) sizes.set(m.uid, m.size ?? 0);
            const small = uids.filter((uid) => (sizes.get(uid) ?? 0) <= MAX_SOURCE_BYTES);
            const large = uids.filter((uid) => (sizes.get(uid) ?? 0) > MAX_SOURCE_BYTES);
            if (small.length) {
              for await (const message of client.fetch(small.join(','), { uid: true, source: true }, { uid: true })) {
                if (message.source) messages.push(fromSource(message.uid, await simpleParser(message.source)));
              }
            }
            if (large.length) {
              for await (const message of client.fetch(large.join(','), { uid: true, envelope: true }, { uid: true })) {
                const e = message.envelope;
                messages.push({
                  uid: message.uid,
                  messageId: e?.messageId,
                  fromAddress: e?.from?.[0]?.address,
                  fromName: e?.from?.[0]?.name || undefined,
                  subject: e?.subject ?? '',
                  text: `(A message of ${sizes.get(message.uid)} bytes, too large to read here; open it in your mail program.)`,
                  inReplyTo: e?.inReplyTo,
                  references: [],
                  date: e?.date ? new Date(e.date) : undefined,
                });
              }
            }
          }
          messages.sort((a, b) => a.uid - b.uid);
          return { uidValidity, lastUid: since.afterUid, messages };
        } finally {
          lock.release();
        }
      } catch (error) {
        throw readFailure(error, `${s.host}:${s.port}`);
      } finally {
        await client.logout().catch(() => client.close());
      }
    },
  };
}
