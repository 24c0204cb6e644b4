import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { imapMailbox } from '../../src/connectors/email/imap.js';
import type { Outbound } from '../../src/graph/index.js';
import { tempDatabase } from '../support/db.js';
import { cardsIn, startKeel, textIn, type TestKeel } from '../support/keel.js';
import { deliver, reply, startImap } from '../connectors/imap.js';

/** Keel as `npm start` wires it with IMAP_URL: the scheduler reads replies from a real IMAP server (hoodiecrow-imap). */
describe('a client replies by email', () => {
  const open: TestKeel[] = [];
  let imap: Awaited<ReturnType<typeof startImap>> | undefined;
  let db: ReturnType<typeof tempDatabase> | undefined;
  afterEach(async () => {
    for (const k of open.splice(0)) k.close();
    const server = imap;
    imap = undefined;
    await server?.close();
    db?.remove();
  });

  it("reaches the operator in chat with the sales agent's follow-up card, once, across a restart; approving it answers in the thread", async () => {
    db = tempDatabase();
    imap = await startImap();
    const clock = new ManualClock('2026-03-02T09:00:00Z');
    const start = async () => {
      const keel = await startKeel({ url: db!.url, clock, mailbox: imapMailbox(imap!.url), env: { MAIL_FROM: 'Olga Operator <olga@keel.test>' } });
      open.push(keel);
      await keel.scheduler.sync();
      return keel;
    };
    const keel = await start();
    await keel.say('Add Acme Corp as a client, contact dana@acme.test');
    await keel.say('nudge Dana in 3 days if no reply');
    // The first read marks where Keel starts; the reply comes after.
    clock.advance(60_000);
    expect(await keel.scheduler.tick()).toContain('read-replies');

    await deliver(imap, reply({ id: '<r1@acme.test>', from: 'Dana <dana@acme.test>', subject: 'Re: Proposal', body: 'Sounds good, let us start in April.' }));
    const heard: Outbound[] = [];
    keel.hub.subscribe((m) => heard.push(m));
    clock.advance(60_000);
    await keel.scheduler.tick();
    expect(textIn(heard)).toContain('Dana <dana@acme.test> (Acme Corp) replied: "Re: Proposal"\nSounds good, let us start in April.');
    const [card] = cardsIn(heard);
    expect(card).toMatchObject({ agent: 'sales', state: 'awaiting_approval' });
    expect(card!.title).toMatch(/email/i);
    expect(await keel.count("reminders WHERE status = 'cancelled'")).toBe(1);

    // A restart re-reads nothing: the cursor is in the database.
    keel.close();
    open.splice(open.indexOf(keel), 1);
    const again = await start();
    const after: Outbound[] = [];
    again.hub.subscribe((m) => after.push(m));
    clock.advance(60_000);
    await again.scheduler.tick();
    expect(after).toEqual([]);
    expect(await again.count('email_replies')).toBe(1);

    // The card is decided like any other, from the chat; the answer goes out in Dana's thread.
    const tapped = await again.tap(card!.ref);
    expect(cardsIn(tapped.replies)[0]).toMatchObject({ state: 'succeeded', facts: expect.arrayContaining([{ label: 'Subject', value: 'Re: Proposal' }]) });
    // No SMTP in this test: the line says where the email really went, from the mailer's record.
    expect(textIn(tapped.replies)).toContain(
      'Done — send an email: written to the outbox folder for dana@acme.test (no SMTP configured, so it was not emailed).',
    );
    const outbox = join(db.dir, 'outbox');
    const answer = readdirSync(outbox)
      .map((f) => readFileSync(join(outbox, f), 'utf8'))
      .find((t) => t.includes('In-Reply-To'));
    expect(answer).toContain('In-Reply-To: <r1@acme.test>');
    expect(answer).toContain('Subject: Re: Proposal');
  });
});
