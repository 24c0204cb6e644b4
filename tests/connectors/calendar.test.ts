import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ICAL from 'ical.js';
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { calendarFeed, calendarText, foldLine } from '../../src/connectors/calendar/index.js';
import { meetings } from '../../src/records/index.js';
import { NotCompensable } from '../../src/kernel/index.js';
import { connectorKernel, type ConnectorKernel } from './support.js';
import { startSmtp } from './smtp.js';

let env: ConnectorKernel | undefined;
let smtp: Awaited<ReturnType<typeof startSmtp>> | undefined;
afterEach(async () => {
  env?.cleanup();
  await smtp?.close();
  env = undefined;
  smtp = undefined;
});

const TOKEN = 'feed-token-0123456789';
const title = 'Kick-off; scope, budget & timeline — “Ωmega” project review with the whole team';
const booking = (clientId: string) => ({ clientId, title, startsAt: '2026-03-05T10:00:00+01:00', durationMinutes: 45 });

const feedOf = (e: ConnectorKernel, token: string | undefined) => calendarFeed({ db: e.db, clock: e.clock, token });
const emls = (e: ConnectorKernel) => readdirSync(e.dirs.outbox).map((f) => readFileSync(join(e.dirs.outbox, f), 'utf8'));
/** The text/calendar part of a raw message, decoded from its transfer encoding. */
const calendarPart = (raw: string) => {
  const match = /Content-Type: text\/calendar[^\n]*\n((?:[^\n]+\n)*)\n([\s\S]*?)\n--/.exec(raw);
  if (!match) throw new Error('no text/calendar part');
  const [, headers, body] = match as unknown as [string, string, string];
  if (/Content-Transfer-Encoding: base64/i.test(headers)) return Buffer.from(body, 'base64').toString('utf8');
  if (!/Content-Transfer-Encoding: quoted-printable/i.test(headers)) return body;
  const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
};
const parse = (text: string) => new ICAL.Component(ICAL.parse(text));

describe('calendar feed', () => {
  it('is off without a token, refuses a wrong one, and serves a valid feed with the booked meeting', async () => {
    env = await connectorKernel();
    const clientId = await env.addClient('Acme Corp');
    const booked = await env.act('calendar.book', booking(clientId), 'meet:1');
    const meetingId = (booked.result as { meetingId: string }).meetingId;

    const off = await feedOf(env, undefined).request('/calendar.ics');
    expect(off.status).toBe(404);
    expect(await off.text()).toMatch(/Set CALENDAR_FEED_TOKEN/);
    expect((await feedOf(env, TOKEN).request('/calendar.ics?token=wrong')).status).toBe(401);
    expect((await feedOf(env, TOKEN).request('/calendar.ics')).status).toBe(401);

    const res = await feedOf(env, TOKEN).request(`/calendar.ics?token=${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/calendar/);
    const text = await res.text();
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    const vevents = parse(text).getAllSubcomponents('vevent');
    expect(vevents).toHaveLength(1);
    const event = new ICAL.Event(vevents[0]!);
    expect(event.uid).toBe(`${meetingId}@keel`);
    expect(event.summary).toBe(`${title} (Acme Corp)`);
    expect(event.startDate.toJSDate().toISOString()).toBe('2026-03-05T09:00:00.000Z');
    expect(event.endDate.toJSDate().toISOString()).toBe('2026-03-05T09:45:00.000Z');
    expect(vevents[0]!.getFirstPropertyValue('dtstamp')).toBeTruthy();
  });

  it('folds long lines without splitting a character, and escapes text', () => {
    const folded = foldLine(`SUMMARY:${'é'.repeat(80)}`);
    for (const line of folded.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(folded.replace(/\r\n /g, '')).toBe(`SUMMARY:${'é'.repeat(80)}`);
    const text = calendarText({
      stamp: new Date(0),
      events: [{ uid: 'u1', sequence: 0, status: 'CONFIRMED', start: new Date(0), durationMinutes: 30, summary: 'a,b;c\\d\ne' }],
    });
    expect(new ICAL.Event(parse(text).getFirstSubcomponent('vevent')!).summary).toBe('a,b;c\\d\ne');
  });
});

describe('calendar invitations', () => {
  it('mails an invitation (METHOD:REQUEST) once per key to a client with an email', async () => {
    env = await connectorKernel();
    const clientId = await env.addClient('Acme Corp', 'dana@acme.test');
    const booked = await env.act('calendar.book', booking(clientId), 'meet:inv');
    await env.act('calendar.book', booking(clientId), 'meet:inv');
    expect(booked.result).toMatchObject({ status: 'booked', invitedTo: 'dana@acme.test' });
    expect(await env.db.select().from(meetings)).toHaveLength(1);

    const [raw, ...more] = emls(env);
    expect(more).toHaveLength(0);
    expect(raw).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=REQUEST/);
    const invite = parse(calendarPart(raw!));
    expect(invite.getFirstPropertyValue('method')).toBe('REQUEST');
    const vevent = invite.getFirstSubcomponent('vevent')!;
    expect(vevent.getFirstPropertyValue('sequence')).toBe(0);
    expect(String(vevent.getFirstPropertyValue('attendee'))).toBe('mailto:dana@acme.test');
    expect(String(vevent.getFirstPropertyValue('organizer'))).toBe('mailto:olga@keel.test');
  });

  it('cancels with METHOD:CANCEL and a higher SEQUENCE, as the compensation of a booking', async () => {
    env = await connectorKernel();
    const clientId = await env.addClient('Acme Corp', 'dana@acme.test');
    const booked = await env.act('calendar.book', booking(clientId), 'meet:cancel');
    const undo = await env.undo(booked.id);
    expect(undo).toMatchObject({ state: 'succeeded', operation: 'calendar.cancel', result: { status: 'cancelled', invitedTo: 'dana@acme.test' } });
    expect(await env.kernel.get(booked.id)).toMatchObject({ state: 'compensated' });

    const cancellation = emls(env).find((raw) => raw.includes('method=CANCEL'));
    const cancel = parse(calendarPart(cancellation!));
    expect(cancel.getFirstPropertyValue('method')).toBe('CANCEL');
    const vevent = cancel.getFirstSubcomponent('vevent')!;
    expect(vevent.getFirstPropertyValue('sequence')).toBe(1);
    expect(vevent.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(vevent.getFirstPropertyValue('uid')).toBe(`${(booked.result as { meetingId: string }).meetingId}@keel`);

    const feed = parse(await (await feedOf(env, TOKEN).request(`/calendar.ics?token=${TOKEN}`)).text());
    expect(feed.getFirstSubcomponent('vevent')!.getFirstPropertyValue('status')).toBe('CANCELLED');
    // A cancellation cannot be taken back by the kernel; the operator books again.
    await expect(env.kernel.compensate(undo.id, { by: 'operator', reason: 'oops' })).rejects.toThrow(NotCompensable);
  });

  it('retries a deferred invitation and sends it once', async () => {
    smtp = await startSmtp((attempt) => (attempt === 1 ? { code: 451, message: 'Local error, try later' } : 'accept'));
    env = await connectorKernel({ smtpUrl: smtp.url });
    const clientId = await env.addClient('Acme Corp', 'dana@acme.test');
    const booked = await env.act('calendar.book', booking(clientId), 'meet:retry');
    expect(booked).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.raw).toContain('method=REQUEST');
    expect(await env.db.select().from(meetings)).toHaveLength(1);
  });

  it('fails clearly when the invitation is refused, leaving no phantom meeting in the feed', async () => {
    smtp = await startSmtp(() => ({ code: 550, message: 'Mailbox unavailable' }));
    env = await connectorKernel({ smtpUrl: smtp.url });
    const clientId = await env.addClient('Acme Corp', 'dana@acme.test');
    const failed = await env.act('calendar.book', booking(clientId), 'meet:550');
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/refused the message to dana@acme\.test: 550 Mailbox unavailable/);
    expect(await env.db.select({ status: meetings.status }).from(meetings)).toEqual([{ status: 'cancelled' }]);
  });

  describe('reconciliation after a crash', () => {
    it('done, not done and unknown', async () => {
      smtp = await startSmtp((attempt) => (attempt === 3 ? 'drop' : 'accept'));
      env = await connectorKernel({ smtpUrl: smtp.url }, { maxAttempts: 1 });
      const clientId = await env.addClient('Acme Corp', 'dana@acme.test');

      const done = await env.act('calendar.book', booking(clientId), 'meet:rec:done');
      await env.strandAfterRun(done.id);
      const notDone = await env.strandBeforeRun('calendar.book', booking(clientId), 'meet:rec:not');
      expect(await env.kernel.reconcile()).toEqual({ reconciled: 1, needsAttention: 0, rerun: 1, restoredEntries: 0 });
      expect(await env.kernel.get(done.id)).toMatchObject({ state: 'succeeded', result: { invitedTo: 'dana@acme.test' } });
      expect(await env.kernel.get(notDone.id)).toMatchObject({ state: 'succeeded' });
      expect(smtp.received).toHaveLength(2);

      // Third message: the server takes it but the connection drops before the reply.
      const cut = await env.act('calendar.book', booking(clientId), 'meet:rec:unknown');
      expect(cut.state).toBe('failed');
      await env.strandAfterRun(cut.id);
      expect(await env.kernel.reconcile()).toEqual({ reconciled: 0, needsAttention: 1, rerun: 0, restoredEntries: 0 });
      expect(smtp.received).toHaveLength(3);
      expect(await env.db.select().from(meetings).where(eq(meetings.idempotencyKey, 'meet:rec:unknown'))).toHaveLength(1);
    });
  });
});
