import { eq } from 'drizzle-orm';
import { sha256Hex } from '../../core/ids.js';
import type { ConnectorDeps } from '../../kernel/connector-deps.js';
import type { Delivery } from './delivery.js';
import { outboxEmails } from './tables.js';
import { first } from '../../core/rows.js';

/** A Message-ID derived from the idempotency key, so a retried send is recognisable as the same message. */
export const messageIdFor = async (key: string) => `<${(await sha256Hex(key)).slice(0, 32)}@keel.local>`;

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

export interface OutgoingMail {
  /** The idempotency key of this message: one key, at most one message. */
  key: string;
  to: string;
  subject: string;
  text: string;
  clientId?: string | undefined;
  /** The Message-ID answered; sent as In-Reply-To and References. */
  inReplyTo?: string | undefined;
  attachments?: MailAttachment[];
  /** An iCalendar invitation or cancellation, sent as text/calendar with its METHOD so mail clients offer to act on it. */
  calendar?: { method: 'REQUEST' | 'CANCEL'; content: string };
  /** The running action's `ctx.heartbeat`: confirms this process still holds the action just before the message leaves. */
  heartbeat(): Promise<void>;
}

export type OutboxEmail = typeof outboxEmails.$inferSelect;

export type MailState = { status: 'sent'; email: OutboxEmail } | { status: 'unknown'; detail: string } | { status: 'not_sent' };

export interface Mailer {
  /** Sends the message once per `mail.key`: a repeated key returns the recorded email without sending again. */
  send(mail: OutgoingMail): Promise<OutboxEmail>;
  /** Whether the message under a key left Keel, did not, or cannot be known without asking the recipient (a crash mid-handover). */
  state(key: string): Promise<MailState>;
}

/**
 * Sends each keyed message at most once through the configured delivery.
 * Every connector that mails (email, invoices, calendar) goes through here,
 * so the outbox table is the one record of what left Keel by email.
 */
export function createMailer({ db, clock, ids }: ConnectorDeps, delivery: Delivery, from: string | (() => Promise<string>)): Mailer {
  // The sender can change while Keel runs (the business profile is set in chat), so it is read at each send.
  const sender = typeof from === 'string' ? async () => from : from;
  const byKey = (key: string) => first(db.select().from(outboxEmails).where(eq(outboxEmails.idempotencyKey, key)));

  async function state(key: string): Promise<MailState> {
    const email = await byKey(key);
    if (!email || email.status === 'failed') return { status: 'not_sent' };
    if (email.status === 'sent') return { status: 'sent', email };
    const accepted = await delivery.accepted(email.messageId);
    if (accepted === false) return { status: 'not_sent' };
    if (accepted === true) return { status: 'sent', email };
    return {
      status: 'unknown',
      detail: `Keel stopped while handing message ${email.messageId} to ${email.to} to the mail server; check the Sent folder or ask the recipient before sending again.`,
    };
  }

  async function send(mail: OutgoingMail): Promise<OutboxEmail> {
    const messageId = await messageIdFor(mail.key);
    const existing = await byKey(mail.key);
    if (existing?.status === 'sent') return existing;
    // A process stopped past its lease, whose send another process took over, stops here rather than send twice.
    await mail.heartbeat();
    const attachments = [...(mail.attachments ?? []).map((a) => a.filename), ...(mail.calendar ? ['invite.ics'] : [])];
    const fromNow = await sender();
    if (existing) {
      await db.update(outboxEmails).set({ status: 'sending', error: null, via: delivery.via }).where(eq(outboxEmails.id, existing.id));
    } else {
      await db
        .insert(outboxEmails)
        .values({
          id: ids.id('mail'),
          messageId,
          idempotencyKey: mail.key,
          clientId: mail.clientId,
          to: mail.to,
          subject: mail.subject,
          body: mail.text,
          status: 'sending',
          via: delivery.via,
          attachments,
          sentAt: clock.now(),
        })
        .onConflictDoNothing();
    }

    let receipt: { emlFile?: string; response: string };
    try {
      receipt = await delivery.deliver(
        {
          from: fromNow,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          messageId,
          ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo, references: [mail.inReplyTo] } : {}),
          date: clock.now(),
          attachments: (mail.attachments ?? []).map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.content) })),
          ...(mail.calendar ? { icalEvent: { method: mail.calendar.method, filename: 'invite.ics', content: mail.calendar.content } } : {}),
        },
        mail.key,
      );
    } catch (error) {
      const { error: failure, rejected } = delivery.failure(error, mail.to);
      // A certain rejection is recorded as such; a doubt stays `sending`, which lookup reports as unknown.
      await db
        .update(outboxEmails)
        .set({ status: rejected ? 'failed' : 'sending', error: failure.message })
        .where(eq(outboxEmails.idempotencyKey, mail.key));
      throw failure;
    }
    await db
      .update(outboxEmails)
      .set({ status: 'sent', sentAt: clock.now(), emlFile: receipt.emlFile ?? null, error: null })
      .where(eq(outboxEmails.idempotencyKey, mail.key));
    return (await byKey(mail.key))!;
  }

  return { send, state };
}
