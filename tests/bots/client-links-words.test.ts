import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { parseCommand } from '../../src/graph/commands.js';
import { tempDatabase } from '../support/db.js';
import { startKeel, textIn, type TestKeel } from '../support/keel.js';

const linkPath = (text: string) => /\/c\/[A-Za-z0-9_-]{43}/.exec(text)?.[0];

/** Client links revoked, paused and resumed in words through the web chat, with the offline model: the same as /revoke and /links. */
describe('client links in words', () => {
  let db: ReturnType<typeof tempDatabase>;
  let keel: TestKeel;
  const say = async (text: string) => textIn((await keel.say(text)).replies);
  const paused = async (path: string) => (await (await keel.http.request(path)).text()).includes('Booking is paused');

  beforeEach(async () => {
    db = tempDatabase();
    keel = await startKeel({ url: db.url, clock: new ManualClock('2026-12-01T08:00:00Z'), env: { TZ: 'Europe/Berlin' } });
    await say('Add Acme Corp as a client, contact dana@acme.test');
    await say('Add Beta GmbH as a client, contact tom@beta.test');
  });
  afterEach(() => {
    keel.close();
    db.remove();
  });

  it('are read as the commands, and nothing else is', () => {
    expect(parseCommand("revoke Beta's proposal link")).toEqual({ name: 'revoke', args: "Beta's proposal link" });
    expect(parseCommand('please revoke the invoice link for Acme.')).toEqual({ name: 'revoke', args: 'invoice link for Acme' });
    expect(parseCommand('turn off the booking page')).toEqual({ name: 'links', args: 'pause booking page' });
    expect(parseCommand('pause my booking page')).toEqual({ name: 'links', args: 'pause booking page' });
    expect(parseCommand("switch Beta's booking page back on")).toBeUndefined();
    expect(parseCommand("turn on Beta's booking page")).toEqual({ name: 'links', args: "resume Beta's booking page" });
    for (const other of ['send Beta the booking link', 'cancel the meeting with Beta', 'stop reminding me about Acme', 'pause the onboarding playbook']) {
      expect(parseCommand(other)).toBeUndefined();
    }
  });

  it('"revoke Beta\'s booking link" ends that link (its page shows nothing, audited); a proposal link with none open changes nothing', async () => {
    const acme = linkPath(await say('/links booking Acme'))!;
    const beta = linkPath(await say('/links booking Beta'))!;
    expect(await say("revoke Beta's booking link")).toMatch(/^Revoked 1 link; they now show nothing:\nlink_[^:]+: Beta GmbH, booking page/);
    expect((await keel.http.request(beta)).status).toBe(404);
    expect((await keel.http.request(acme)).status).toBe(200);
    expect(await say("revoke Beta's proposal link")).toBe('No open link matches that; nothing changed. /links lists the open ones.');
    const audited = await keel.storage.client.execute("SELECT count(*) AS n FROM audit_log WHERE event = 'client_link_revoked'");
    expect(Number(audited.rows[0]!.n)).toBe(1);
  });

  it('"pause my booking page" pauses every booking page; "turn on Beta\'s booking page" resumes one; "turn off the booking page" pauses again', async () => {
    const acme = linkPath(await say('/links booking Acme'))!;
    const beta = linkPath(await say('/links booking Beta'))!;
    expect(await say('pause my booking page')).toBe('Booking page paused: it offers no times until you /links resume it.');
    expect([await paused(acme), await paused(beta)]).toEqual([true, true]);
    expect(await say("turn on Beta's booking page")).toBe('Booking page open again.');
    expect([await paused(acme), await paused(beta)]).toEqual([true, false]);
    await say('turn off the booking page');
    expect([await paused(acme), await paused(beta)]).toEqual([true, true]);
    expect(await keel.count("actions WHERE operation = 'calendar.book'")).toBe(0);
  });

  it('with no booking page open, says so', async () => {
    expect(await say('pause my booking page')).toBe('No booking page is open; make one with /links booking <client>.');
  });
});
