import { eq } from 'drizzle-orm';
import type { Kernel } from '../kernel/index.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Db } from '../storage/index.js';
import { sha256Hex } from '../core/ids.js';
import { attributeReply, mailboxCursors, MAX_REPLY_CHARS, type IncomingMail, type Mailbox } from '../connectors/index.js';
import { clientById } from '../records/index.js';
import { cardFor, replyFollowup } from '../agents/index.js';
import { OPERATOR_THREAD, type Outbound } from '../graph/index.js';

export interface ReplyWatchDeps {
  db: Db;
  kernel: Kernel;
  clock: Clock;
  logger: Logger;
  timeZone: string;
  operatorName: string;
  mailbox: Mailbox;
  /** Keel's own address (MAIL_FROM): copies of what Keel sent are not replies. */
  ownAddress: string | undefined;
}

/** Messages handled per poll: a backlog drains over a few polls instead of one long run. */
const BATCH = 25;

/**
 * Keys per message, from its Message-ID (hashed: ids can be longer than a
 * key may be), so reading the same message again — after a crash, from a
 * rebuilt mailbox, from a second process — repeats nothing.
 */
const keysFor = async (messageId: string) => {
  const base = `reply:${(await sha256Hex(messageId)).slice(0, 32)}`;
  return { record: base, followup: `${base}:followup`, notify: `${base}:notify` };
};

/** A failed action keeps its outcome under its key, so retrying it would fail the same way: report it and read on. */
const reportFailure = (deps: ReplyWatchDeps, what: string, action: { state: string; error?: string | null; id: string }) =>
  deps.logger.error(`could not ${what}`, { action: action.id, state: action.state, error: action.error ?? undefined });

/**
 * One pass over the mailbox: each new message from a client (or answering an
 * email Keel sent) is recorded against the client, the sales agent proposes
 * a follow-up in the same thread — an approval card, never sent by itself —
 * and the operator is told in chat. The mailbox's last handled UID advances
 * after each message, so a restart resumes where the last pass stopped.
 */
export async function pollReplies(deps: ReplyWatchDeps): Promise<{ read: number; recorded: number }> {
  const { db, mailbox, clock } = deps;
  const [cursor] = await db.select().from(mailboxCursors).where(eq(mailboxCursors.mailbox, mailbox.name));
  const batch = await mailbox.read({ uidValidity: cursor?.uidValidity, afterUid: cursor?.lastUid ?? 0 }, BATCH);
  const advance = (lastUid: number) =>
    db
      .insert(mailboxCursors)
      .values({ mailbox: mailbox.name, uidValidity: batch.uidValidity, lastUid, updatedAt: clock.now() })
      .onConflictDoUpdate({ target: mailboxCursors.mailbox, set: { uidValidity: batch.uidValidity, lastUid, updatedAt: clock.now() } });
  if (cursor?.uidValidity !== batch.uidValidity || cursor.lastUid !== batch.lastUid) await advance(batch.lastUid);
  let recorded = 0;
  for (const mail of batch.messages) {
    if (await handleMessage(deps, mail)) recorded += 1;
    await advance(mail.uid);
  }
  return { read: batch.messages.length, recorded };
}

async function handleMessage(deps: ReplyWatchDeps, mail: IncomingMail): Promise<boolean> {
  const { db, kernel, clock } = deps;
  const from = mail.fromAddress?.trim().toLowerCase();
  if (!mail.messageId || !from || from === deps.ownAddress?.toLowerCase()) return false;
  const attributed = await attributeReply({ db }, { fromAddress: from, inReplyTo: mail.inReplyTo, references: mail.references });
  if (!attributed) return false;
  const client = await clientById(db, attributed.clientId);
  if (!client) return false;
  const keys = await keysFor(mail.messageId);
  const receivedAt = mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date : clock.now();
  const body = mail.text.length > MAX_REPLY_CHARS ? mail.text.slice(0, MAX_REPLY_CHARS) : mail.text;
  const input = {
    messageId: mail.messageId,
    fromAddress: from,
    ...(mail.fromName ? { fromName: mail.fromName.slice(0, 200) } : {}),
    subject: mail.subject.slice(0, 998),
    body,
    ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo.slice(0, 998) } : {}),
    receivedAt: receivedAt.toISOString(),
    clientId: client.id,
    ...(attributed.repliesTo ? { repliesTo: attributed.repliesTo } : {}),
  };
  const recordedAction = await kernel.execute({
    operation: 'replies.record',
    input,
    idempotencyKey: keys.record,
    agent: 'sales',
    reason: `${from} wrote to the operator's mailbox${attributed.repliesTo ? `, answering email ${attributed.repliesTo}` : ''}.`,
    evidence: [client.id, ...(attributed.repliesTo ? [attributed.repliesTo] : [])],
  });
  if (recordedAction.state !== 'succeeded') {
    reportFailure(deps, 'record a reply', recordedAction);
    return false;
  }
  const { replyId } = recordedAction.result as { replyId: string };

  const draft = replyFollowup(
    { replyId, fromAddress: from, fromName: mail.fromName, subject: input.subject, body, messageId: mail.messageId },
    client,
    deps.operatorName,
  );
  const followup = await kernel.propose({
    operation: 'email.send',
    input: draft.input,
    idempotencyKey: keys.followup,
    agent: 'sales',
    reason: draft.reason,
    evidence: [replyId, client.id],
    threadId: OPERATOR_THREAD,
  });
  const messages: Outbound[] = [{ kind: 'text', text: draft.notice }];
  if (followup.state === 'awaiting_approval') {
    messages.push({ kind: 'card', card: await cardFor(db, followup, kernel.operation(followup.operation), deps.timeZone) });
  }
  const notified = await kernel.execute({
    operation: 'operator.notify',
    input: { kind: 'reply', messages },
    idempotencyKey: keys.notify,
    agent: 'operations',
    reason: `${client.name} replied by email.`,
    evidence: [replyId],
  });
  // The card stays under /pending and in the digest even when this notice could not be delivered.
  if (notified.state !== 'succeeded') reportFailure(deps, 'tell the operator about a reply', notified);
  return true;
}
