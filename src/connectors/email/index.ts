import { z } from 'zod';
import { defineOperation, type Connector, type LookupResult } from '../../kernel/connector.js';
import type { Mailer, MailState, OutboxEmail } from './mailer.js';

export { outboxEmails } from './tables.js';
export { createMailer, messageIdFor, type Mailer, type OutboxEmail } from './mailer.js';
export { unavailableDelivery, type Delivery } from './delivery.js';
export { httpEmailDelivery, EMAIL_API_DEFAULT_URL, type EmailApiSettings } from './delivery-http.js';
export { repliesConnector, attributeReply, messageIds, MAX_REPLY_CHARS, type EmailReply, type ReplyInput } from './replies.js';
export { emailReplies, mailboxCursors } from './tables.js';
export type { IncomingMail, Mailbox } from './mailbox.js';

const emailSummary = (m: OutboxEmail) => ({ emailId: m.id, messageId: m.messageId, to: m.to, via: m.via });

/** A mail state as a lookup answer; `done` carries what `done(email)` makes of the sent message. */
const mailLookup = (state: MailState, done: (email: OutboxEmail) => unknown): LookupResult =>
  state.status === 'sent' ? { status: 'done', result: done(state.email) } : state.status === 'unknown' ? state : { status: 'not_done' };

/**
 * Email: through SMTP when configured, else the local outbox folder. Sent
 * mail cannot be unsent, so the operation is irreversible and always waits
 * for approval.
 */
export function emailConnector(mailer: Mailer): Connector {
  const send = defineOperation({
    name: 'email.send',
    summary: 'send an email',
    input: z.object({
      to: z.string().email(),
      subject: z.string().min(1).max(200),
      body: z.string().min(1),
      clientId: z.string().optional(),
      /** The Message-ID this answers, so the client's mail program threads it. */
      inReplyTo: z
        .string()
        .regex(/^<[^<>\s]+>$/, { error: 'must be a Message-ID such as <abc@example.com>' })
        .optional(),
    }),
    leavesSystem: true,
    run: async (input, ctx) =>
      emailSummary(
        await mailer.send({
          key: ctx.idempotencyKey,
          to: input.to,
          subject: input.subject,
          text: input.body,
          clientId: input.clientId,
          inReplyTo: input.inReplyTo,
          heartbeat: ctx.heartbeat,
        }),
      ),
    lookup: async (key) => mailLookup(await mailer.state(key), emailSummary),
    compensation: { kind: 'irreversible', note: 'send a correction email, which needs its own approval' },
  });

  return { name: 'email', rateLimit: { perSecond: 2, burst: 5 }, operations: [send] };
}
