import ICAL from 'ical.js';
import { afterAll, beforeAll, afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { meetings } from '../../src/records/index.js';
import { connectorKernel, type ConnectorKernel } from './support.js';
import { startRadicale } from './radicale.js';

let radicale: Awaited<ReturnType<typeof startRadicale>>;
beforeAll(async () => {
  radicale = await startRadicale();
});
afterAll(async () => {
  await radicale.close();
});

let env: ConnectorKernel | undefined;
afterEach(() => {
  env?.cleanup();
  env = undefined;
});

const booking = (clientId: string, title = 'Kick-off') => ({ clientId, title, startsAt: '2026-03-05T10:00:00+01:00', durationMinutes: 45 });
const meetingOf = (result: unknown) => (result as { meetingId: string }).meetingId;

describe('calendar on CalDAV (radicale)', () => {
  it('writes the booked meeting to the calendar once per key, and cancelling (the compensation) removes it', async () => {
    env = await connectorKernel({ caldav: radicale.settings });
    const clientId = await env.addClient('Acme Corp');
    const before = await radicale.count();
    const booked = await env.act('calendar.book', booking(clientId), 'meet:1');
    expect(booked.state).toBe('succeeded');
    const id = meetingOf(booked.result);
    const stored = await radicale.event(id);
    const event = new ICAL.Event(new ICAL.Component(ICAL.parse(stored!)).getFirstSubcomponent('vevent')!);
    expect(event).toMatchObject({ uid: `${id}@keel`, summary: 'Kick-off' });
    expect(event.startDate.toJSDate().toISOString()).toBe('2026-03-05T09:00:00.000Z');
    expect(stored).not.toMatch(/METHOD:/);
    expect((await env.act('calendar.book', booking(clientId), 'meet:1')).id).toBe(booked.id);
    expect(await radicale.count()).toBe(before + 1);

    const undo = await env.undo(booked.id);
    expect(undo).toMatchObject({ state: 'succeeded', operation: 'calendar.cancel' });
    expect(await radicale.event(id)).toBeUndefined();
  });

  it('retries a calendar server that is briefly unavailable (503), then writes the event once', async () => {
    let failures = 1;
    const flaky: typeof fetch = async (input, init) => (failures-- > 0 ? new Response('busy', { status: 503 }) : fetch(input, init));
    env = await connectorKernel({ caldav: { ...radicale.settings, fetch: flaky } });
    const clientId = await env.addClient('Acme Corp');
    const booked = await env.act('calendar.book', booking(clientId, 'Retry'), 'meet:retry');
    expect(booked).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect(await radicale.event(meetingOf(booked.result))).toContain('SUMMARY:Retry');
  });

  it('fails with a clear error when the calendar does not exist, and leaves no booked meeting behind', async () => {
    env = await connectorKernel({ caldav: { ...radicale.settings, url: radicale.settings.url.replace('/keel/', '/no-such-calendar/') } });
    const clientId = await env.addClient('Acme Corp');
    const booked = await env.act('calendar.book', booking(clientId), 'meet:bad');
    expect(booked.state).toBe('failed');
    expect(booked.error).toMatch(/refused to save the meeting \(HTTP 409\); check that CALDAV_URL names an existing calendar/);
    expect((await env.db.select().from(meetings))[0]?.status).toBe('cancelled');
  });

  it('reconciles after a crash: a meeting in the calendar is done, one missing from it is written by the re-run', async () => {
    env = await connectorKernel({ caldav: radicale.settings });
    const clientId = await env.addClient('Acme Corp');
    const done = await env.act('calendar.book', booking(clientId, 'Done'), 'meet:done');
    await env.strandAfterRun(done.id);
    // A crash after the row but before the calendar write: the row is there, the event is not.
    const half = await env.act('calendar.book', booking(clientId, 'Half'), 'meet:half');
    const halfId = meetingOf(half.result);
    await radicale.remove(halfId);
    expect(await radicale.event(halfId)).toBeUndefined();
    await env.strandAfterRun(half.id);
    expect(await env.kernel.reconcile()).toEqual({ reconciled: 1, needsAttention: 0, rerun: 1, restoredEntries: 0 });
    expect(await radicale.event(halfId)).toContain('SUMMARY:Half');
    expect((await env.db.select().from(meetings).where(eq(meetings.id, halfId)))[0]?.status).toBe('booked');
  });
});
