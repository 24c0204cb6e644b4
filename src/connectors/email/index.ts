import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { defineOperation, type Connector } from '../../kernel/connector.js';
import { sha256Hex } from '../../core/ids.js';
import { lookupRow, type ConnectorDeps } from '../context.js';
import { outboxEmails } from './tables.js';

export { outboxEmails };

/** A Message-ID derived from the idempotency key, so a retried send is recognisable as the same message. */
export const messageIdFor = async (key: string) => `<${(await sha256Hex(key)).slice(0, 32)}@keel.local>`;

/**
 * Email, embedded default: a local outbox table. Sent mail cannot be unsent,
 * so the operation is irreversible and always waits for approval.
 */
export function emailConnector({ db, clock, ids }: ConnectorDeps): Connector {
  const byKey = async (key: string) =>
    (await db.select().from(outboxEmails).where(eq(outboxEmails.idempotencyKey, key)))[0];
  const summary = (m: typeof outboxEmails.$inferSelect) => ({ emailId: m.id, messageId: m.messageId, to: m.to });

  const send = defineOperation({
    name: 'email.send',
    summary: 'send an email',
    input: z.object({
      to: z.string().email(),
      subject: z.string().min(1).max(200),
      body: z.string().min(1),
      clientId: z.string().optional(),
    }),
    leavesSystem: true,
    async run(input, ctx) {
      const messageId = await messageIdFor(ctx.idempotencyKey);
      await db
        .insert(outboxEmails)
        .values({ id: ids.id('mail'), messageId, idempotencyKey: ctx.idempotencyKey, ...input, sentAt: clock.now() })
        .onConflictDoNothing();
      return summary((await byKey(ctx.idempotencyKey))!);
    },
    lookup: async (key) => lookupRow(await byKey(key), summary),
    compensation: { kind: 'irreversible', note: 'send a correction email, which needs its own approval' },
  });

  return { name: 'email', rateLimit: { perSecond: 2, burst: 5 }, operations: [send] };
}
