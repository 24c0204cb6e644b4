import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import { z } from 'zod';
import { defineOperation, ConnectorError, type Connector } from '../../kernel/connector.js';
import { clientAliases, clients } from '../../records/index.js';
import { reminders } from '../operator/tables.js';
import { lookupGone, lookupRow, type ConnectorDeps } from '../../kernel/connector-deps.js';
import { emailReplies, outboxEmails } from './tables.js';
import { first } from '../../core/rows.js';

export type EmailReply = typeof emailReplies.$inferSelect;

/** Keeps one reply's text within what a card, a recall hit and the ledger reasonably hold. */
export const MAX_REPLY_CHARS = 20_000;

export const replyInput = z.object({
  messageId: z.string().min(3).max(998),
  fromAddress: z.string().email(),
  fromName: z.string().max(200).optional(),
  subject: z.string().max(998),
  body: z.string().max(MAX_REPLY_CHARS),
  inReplyTo: z.string().max(998).optional(),
  receivedAt: z.string().datetime({ offset: true }),
  clientId: z.string().min(1),
  /** The Keel email this answers (outbox_emails.id), when its Message-ID was quoted. */
  repliesTo: z.string().optional(),
});
export type ReplyInput = z.infer<typeof replyInput>;

const replySummary = (r: EmailReply) => ({
  replyId: r.id,
  clientId: r.clientId,
  messageId: r.messageId,
  repliesTo: r.repliesTo,
  cancelledReminders: r.cancelledReminders,
});

/** `<a@b> <c@d>` → its Message-IDs, as References and In-Reply-To list them. */
export const messageIds = (header: string | undefined): string[] => (header ? (header.match(/<[^<>\s]+>/g) ?? []) : []);

/**
 * Who wrote a message, as a client: the sender's address exactly (the
 * client's own, or an email alias), else the client of the Keel email it
 * answers. A looser match could file a stranger's mail under a client.
 */
export async function attributeReply(
  { db }: Pick<ConnectorDeps, 'db'>,
  mail: { fromAddress: string; inReplyTo?: string | undefined; references?: string[] | undefined },
): Promise<{ clientId: string; repliesTo?: string } | undefined> {
  // References lists the thread oldest first and In-Reply-To names the message answered, so later in this list is nearer.
  const quoted = [...(mail.references ?? []), ...messageIds(mail.inReplyTo)];
  const answered = quoted.length
    ? (
        await db
          .select({ id: outboxEmails.id, clientId: outboxEmails.clientId, messageId: outboxEmails.messageId })
          .from(outboxEmails)
          .where(inArray(outboxEmails.messageId, quoted))
      ).sort((a, b) => quoted.lastIndexOf(b.messageId) - quoted.lastIndexOf(a.messageId))[0]
    : undefined;
  const address = mail.fromAddress.trim().toLowerCase();
  const own = await db.select({ id: clients.id }).from(clients).where(sql`lower(${clients.email}) = ${address}`);
  const aliased = await db
    .selectDistinct({ id: clientAliases.clientId })
    .from(clientAliases)
    .where(and(eq(clientAliases.kind, 'email'), eq(clientAliases.value, address)));
  const byAddress = [...new Set([...own, ...aliased].map((c) => c.id))];
  const clientId = byAddress.length === 1 ? byAddress[0] : (answered?.clientId ?? undefined);
  if (!clientId) return undefined;
  return answered ? { clientId, repliesTo: answered.id } : { clientId };
}

/**
 * Replies from clients, read from the operator's mailbox: recording one
 * attaches it to the client (and to the Keel email it answers), makes it
 * recallable, and cancels that client's pending reminders — they were set to
 * nudge a client who had not replied. Undo removes the record and restores
 * the reminders it cancelled.
 */
export function repliesConnector({ db, clock, ids }: ConnectorDeps): Connector {
  const byKey = (key: string) => first(db.select().from(emailReplies).where(eq(emailReplies.idempotencyKey, key)));
  const byId = (id: string) => first(db.select().from(emailReplies).where(eq(emailReplies.id, id)));

  const record = defineOperation({
    name: 'replies.record',
    summary: "record a client's reply",
    input: replyInput,
    leavesSystem: false,
    async run(input, ctx) {
      const existing = await first(db.select().from(emailReplies).where(eq(emailReplies.messageId, input.messageId)));
      if (existing) return replySummary(existing);
      const client = await first(db.select({ id: clients.id }).from(clients).where(eq(clients.id, input.clientId)));
      if (!client) throw new ConnectorError(`There is no client ${input.clientId} to attach the reply ${input.messageId} to.`, { retryable: false });
      const receivedAt = new Date(input.receivedAt);
      const id = ids.id('rcv');
      // One batch: the reply and the reminders it makes moot change together or not at all.
      const [, cancelled] = await db.batch([
        db
          .insert(emailReplies)
          .values({
            id,
            messageId: input.messageId,
            idempotencyKey: ctx.idempotencyKey,
            clientId: input.clientId,
            fromAddress: input.fromAddress,
            fromName: input.fromName ?? null,
            subject: input.subject,
            body: input.body,
            inReplyTo: input.inReplyTo ?? null,
            repliesTo: input.repliesTo ?? null,
            receivedAt,
            recordedAt: clock.now(),
          })
          .onConflictDoNothing(),
        db
          .update(reminders)
          .set({ status: 'cancelled' })
          .where(
            and(
              eq(reminders.clientId, input.clientId),
              eq(reminders.status, 'pending'),
              lte(reminders.createdAt, receivedAt),
              sql`exists (select 1 from ${emailReplies} where ${emailReplies.id} = ${id})`,
            ),
          )
          .returning({ id: reminders.id }),
      ]);
      if (cancelled.length)
        await db
          .update(emailReplies)
          .set({ cancelledReminders: cancelled.map((r) => r.id) })
          .where(eq(emailReplies.id, id));
      const row = (await db.select().from(emailReplies).where(eq(emailReplies.messageId, input.messageId)))[0]!;
      return replySummary(row);
    },
    lookup: async (key) => lookupRow(await byKey(key), replySummary),
    compensation: { kind: 'operation', operation: 'replies.forget', input: (_i, r) => ({ replyId: (r as { replyId: string }).replyId }) },
  });

  const forget = defineOperation({
    name: 'replies.forget',
    summary: "forget a client's reply",
    input: z.object({ replyId: z.string() }),
    leavesSystem: false,
    async run({ replyId }) {
      const reply = await byId(replyId);
      if (!reply) return { replyId, forgotten: true };
      await db.batch([
        db.delete(emailReplies).where(eq(emailReplies.id, replyId)),
        db
          .update(reminders)
          .set({ status: 'pending' })
          .where(and(inArray(reminders.id, reply.cancelledReminders), eq(reminders.status, 'cancelled'))),
      ]);
      return { replyId, forgotten: true, restoredReminders: reply.cancelledReminders };
    },
    lookup: async (_key, { replyId }) => lookupGone(await byId(replyId), () => ({ replyId, forgotten: true })),
    compensation: { kind: 'irreversible', note: 'the reply is recorded again if it is still in the mailbox and its cursor is reset' },
  });

  return { name: 'replies', operations: [record, forget] };
}
