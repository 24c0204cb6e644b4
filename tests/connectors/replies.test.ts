import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { ManualClock } from '../../src/core/clock.js';
import { sequentialIds } from '../../src/core/ids.js';
import { silentLogger } from '../../src/core/logger.js';
import { actions, createKernel } from '../../src/kernel/index.js';
import { createConnectors, emailReplies, mailboxCursors, operatorConnector, reminders, type Mailbox } from '../../src/connectors/index.js';
import { imapMailbox } from '../../src/connectors/email/imap.js';
import { createMemory, hashedNgramEmbedder } from '../../src/memory/index.js';
import { pollReplies } from '../../src/jobs/mail-replies.js';
import type { Outbound } from '../../src/graph/index.js';
import { nodePlatform } from '../../src/platform/node.js';
import { tempDatabase } from '../support/db.js';
import { freePort } from '../support/port.js';
import { deliver, reply, startImap } from './imap.js';

async function setup() {
  const database = tempDatabase('keel-replies-');
  const storage = await database.open();
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const ids = sequentialIds();
  const delivered: { kind: string; messages: Outbound[] }[] = [];
  const outbox = join(database.dir, 'outbox');
  const kernel = createKernel({
    db: storage.db,
    connectors: [
      ...createConnectors(
        { db: storage.db, clock, ids },
        { filesDir: join(database.dir, 'files'), outboxDir: outbox, mailFrom: 'Olga Operator <olga@keel.test>', issuer: 'Olga Operator' },
        nodePlatform.stores,
      ),
      operatorConnector({ db: storage.db, clock, ids, deliver: async (kind, messages) => void delivered.push({ kind, messages }) }),
    ],
    policy: { mayRequest: () => true, requiresApproval: (op) => op.leavesSystem || op.compensation.kind === 'irreversible' },
    clock,
    ids,
    random: () => 0.5,
    retry: { maxAttempts: 3 },
  });
  const act = async (operation: string, input: unknown, idempotencyKey: string) => {
    const proposed = await kernel.propose({ operation, input, idempotencyKey, agent: 'operator', reason: 'test' });
    if (proposed.state === 'awaiting_approval') await kernel.decide({ ref: proposed.cardRef!, decision: 'approve', by: 'operator' });
    return kernel.execute(proposed.id);
  };
  const dana = (await act('records.upsert_client', { name: 'Acme Corp', contactName: 'Dana', email: 'dana@acme.test' }, 'client:acme')).result as {
    clientId: string;
  };
  const watch = (mailbox: Mailbox) =>
    pollReplies({ db: storage.db, kernel, clock, logger: silentLogger, timeZone: 'UTC', operatorName: 'Olga Operator', mailbox, ownAddress: 'olga@keel.test' });
  const cleanup = () => {
    storage.close();
    database.remove();
  };
  return { storage, db: storage.db, kernel, clock, act, delivered, outbox, danaId: dana.clientId, watch, cleanup };
}

type Setup = Awaited<ReturnType<typeof setup>>;

let env: Setup | undefined;
let imap: Awaited<ReturnType<typeof startImap>> | undefined;
afterEach(async () => {
  const [ending, server] = [env, imap];
  env = undefined;
  imap = undefined;
  ending?.cleanup();
  await server?.close();
});

describe('replies read from IMAP', () => {
  it('attaches a client reply, makes it recallable, cancels the nudge, and proposes a threaded follow-up for approval', async () => {
    env = await setup();
    imap = await startImap();
    const mailbox = imapMailbox(imap.url);
    // Mail that was already there when Keel started reading is left alone.
    await deliver(imap, reply({ id: '<old@acme.test>', from: 'Dana <dana@acme.test>', body: 'An old message.' }));
    expect(await env.watch(mailbox)).toEqual({ read: 0, recorded: 0 });

    const sent = await env.act('email.send', { to: 'dana@acme.test', subject: 'Following up', body: 'Shall we talk?', clientId: env.danaId }, 'mail:1');
    const sentMessageId = (sent.result as { messageId: string }).messageId;
    const nudge = await env.act('operator.schedule_reminder', { text: 'No reply from Dana?', dueAt: '2026-03-05T09:00:00Z', clientId: env.danaId }, 'nudge:1');
    env.clock.advance(60 * 60_000);
    // Dana answers from another address, in the thread; a newsletter arrives too.
    await deliver(
      imap,
      reply({
        id: '<r1@phone.test>',
        from: 'Dana Smith <dana@phone.test>',
        inReplyTo: sentMessageId,
        body: 'Yes, Tuesday works for the workshop.\n\nOn Mon, Olga wrote:\n> Shall we talk?',
      }),
    );
    await deliver(imap, reply({ id: '<news@shop.test>', from: 'news@shop.test', subject: 'Sale!', body: 'Buy things.' }));

    expect(await env.watch(mailbox)).toEqual({ read: 2, recorded: 1 });
    const [row] = await env.db.select().from(emailReplies);
    expect(row).toMatchObject({
      clientId: env.danaId,
      fromAddress: 'dana@phone.test',
      messageId: '<r1@phone.test>',
      inReplyTo: sentMessageId,
      repliesTo: sent.result && (sent.result as { emailId: string }).emailId,
    });
    expect(row!.cancelledReminders).toEqual([(nudge.result as { reminderId: string }).reminderId]);
    expect((await env.db.select().from(reminders))[0]?.status).toBe('cancelled');

    // The operator hears about it once, with the sales agent's follow-up card.
    expect(env.delivered).toHaveLength(1);
    const [notice] = env.delivered;
    expect(notice!.kind).toBe('reply');
    expect(notice!.messages[0]).toEqual({ kind: 'text', text: expect.stringContaining('Yes, Tuesday works for the workshop.') });
    const card = notice!.messages.find((m) => m.kind === 'card');
    expect(card?.kind === 'card' && card.card).toMatchObject({ agent: 'sales', state: 'awaiting_approval' });
    const followup = (await env.db.select().from(actions).where(eq(actions.operation, 'email.send'))).find((a) => a.agent === 'sales')!;
    expect(followup.state).toBe('awaiting_approval');
    expect(followup.input).toMatchObject({ to: 'dana@phone.test', subject: 'Re: Following up', inReplyTo: '<r1@phone.test>' });
    expect(followup.evidence).toContain(row!.id);

    // Recall finds the reply by its words, filed under the client.
    const memory = createMemory({
      db: env.db,
      client: env.storage.client,
      clock: env.clock,
      logger: silentLogger,
      embedder: hashedNgramEmbedder,
      compaction: { after: 40, keep: 10, maxSummaryChars: 2000 },
      indexIntervalMs: 60_000,
    });
    const hits = await memory.recall({ text: 'Tuesday workshop', kinds: ['email'], limit: 3 });
    expect(hits[0]).toMatchObject({ id: row!.id, kind: 'email' });

    // Approving the card sends the answer in the same thread: nothing was sent before.
    expect(readdirSync(env.outbox)).toHaveLength(1);
    await env.kernel.decide({ ref: followup.cardRef!, decision: 'approve', by: 'operator' });
    expect((await env.kernel.execute(followup.id)).state).toBe('succeeded');
    const eml = readdirSync(env.outbox)
      .map((f) => readFileSync(join(env!.outbox, f), 'utf8'))
      .find((t) => t.includes('In-Reply-To'));
    expect(eml).toContain('In-Reply-To: <r1@phone.test>');
    expect(eml).toContain('To: dana@phone.test');
  });

  it('neither loses nor repeats a reply across restarts, and dedupes one Message-ID delivered twice', async () => {
    env = await setup();
    imap = await startImap();
    expect(await env.watch(imapMailbox(imap.url))).toEqual({ read: 0, recorded: 0 });
    await deliver(imap, reply({ id: '<r1@acme.test>', from: 'dana@acme.test', body: 'First answer.' }));
    await deliver(imap, reply({ id: '<r1@acme.test>', from: 'dana@acme.test', body: 'First answer.' }));
    // A fresh reader, as after a restart: the cursor lives in the database.
    expect(await env.watch(imapMailbox(imap.url))).toEqual({ read: 2, recorded: 2 });
    expect(await env.db.select().from(emailReplies)).toHaveLength(1);
    expect(env.delivered).toHaveLength(1);
    expect(await env.watch(imapMailbox(imap.url))).toEqual({ read: 0, recorded: 0 });
    await deliver(imap, reply({ id: '<r2@acme.test>', from: 'dana@acme.test', body: 'Second answer.' }));
    expect(await env.watch(imapMailbox(imap.url))).toEqual({ read: 1, recorded: 1 });
    expect(await env.db.select().from(emailReplies)).toHaveLength(2);
    expect(env.delivered).toHaveLength(2);
    const [cursor] = await env.db.select().from(mailboxCursors);
    expect(cursor).toMatchObject({ mailbox: 'keel@127.0.0.1/INBOX', lastUid: 3 });
  });

  it('reports an unreachable server as retryable and a refused login with what to fix, then reads once the server is back', async () => {
    env = await setup();
    imap = await startImap();
    expect(await env.watch(imapMailbox(imap.url))).toEqual({ read: 0, recorded: 0 });
    await deliver(imap, reply({ id: '<meanwhile@acme.test>', from: 'dana@acme.test', body: 'Sent while Keel could not read.' }));
    // The same mailbox while its server cannot be reached (nothing listens on that port), then with a wrong password.
    const down = new URL(imap.url);
    down.port = String(await freePort());
    await expect(env.watch(imapMailbox(down.href))).rejects.toThrow(/Could not reach the IMAP server 127\.0\.0\.1:\d+ \(ECONNREFUSED\); will try again/);
    const wrong = new URL(imap.url);
    wrong.password = 'wrong';
    await expect(env.watch(imapMailbox(wrong.href))).rejects.toThrow(/refused the login.*check the user and password in IMAP_URL/);
    // Once the server is reachable again, the mail that arrived meanwhile is read, once.
    expect(await env.watch(imapMailbox(imap.url))).toEqual({ read: 1, recorded: 1 });
    expect(await env.db.select().from(emailReplies)).toEqual([expect.objectContaining({ messageId: '<meanwhile@acme.test>' })]);
  });
});

describe('replies.record and replies.forget', () => {
  const input = (clientId: string, messageId = '<r9@acme.test>') => ({
    messageId,
    fromAddress: 'dana@acme.test',
    subject: 'Re: Proposal',
    body: 'Looks good.',
    receivedAt: '2026-03-02T10:00:00Z',
    clientId,
  });

  it('records once per key and per Message-ID; a reply for an unknown client fails with a clear error', async () => {
    env = await setup();
    const first = await env.act('replies.record', input(env.danaId), 'reply:a');
    expect(first.state).toBe('succeeded');
    expect((await env.act('replies.record', input(env.danaId), 'reply:a')).id).toBe(first.id);
    const sameMessage = await env.act('replies.record', input(env.danaId), 'reply:b');
    expect(sameMessage.result).toMatchObject({ replyId: (first.result as { replyId: string }).replyId });
    expect(await env.db.select().from(emailReplies)).toHaveLength(1);

    const unknown = await env.act('replies.record', input('cli_nobody', '<r10@acme.test>'), 'reply:c');
    expect(unknown).toMatchObject({ state: 'failed', error: 'There is no client cli_nobody to attach the reply <r10@acme.test> to.' });
  });

  it('undo forgets the reply and restores the reminders it cancelled', async () => {
    env = await setup();
    const nudge = await env.act('operator.schedule_reminder', { text: 'No reply from Dana?', dueAt: '2026-03-05T09:00:00Z', clientId: env.danaId }, 'nudge:1');
    env.clock.advance(60_000);
    const recorded = await env.act('replies.record', { ...input(env.danaId), receivedAt: env.clock.now().toISOString() }, 'reply:a');
    expect((await env.db.select().from(reminders))[0]?.status).toBe('cancelled');
    const compensation = await env.kernel.compensate(recorded.id, { by: 'operator', reason: 'test' });
    if (compensation.state === 'awaiting_approval') await env.kernel.decide({ ref: compensation.cardRef!, decision: 'approve', by: 'operator' });
    const undone = await env.kernel.execute(compensation.id);
    expect(undone).toMatchObject({ state: 'succeeded', result: { forgotten: true, restoredReminders: [(nudge.result as { reminderId: string }).reminderId] } });
    expect(await env.db.select().from(emailReplies)).toHaveLength(0);
    expect((await env.db.select().from(reminders))[0]?.status).toBe('pending');
  });

  it('reconciles after a crash: a recorded reply is done, a missing one is run again', async () => {
    env = await setup();
    const done = await env.act('replies.record', input(env.danaId), 'reply:a');
    await env.db.update(actions).set({ state: 'running', result: null }).where(eq(actions.id, done.id));
    const proposed = await env.kernel.propose({
      operation: 'replies.record',
      input: input(env.danaId, '<r11@acme.test>'),
      idempotencyKey: 'reply:b',
      agent: 'operator',
      reason: 'test',
    });
    await env.db.update(actions).set({ state: 'running' }).where(eq(actions.id, proposed.id));
    expect(await env.kernel.reconcile()).toMatchObject({ reconciled: 1, rerun: 1, needsAttention: 0 });
    expect(await env.db.select().from(emailReplies)).toHaveLength(2);
    expect((await env.kernel.get(done.id))?.state).toBe('succeeded');
  });
});
