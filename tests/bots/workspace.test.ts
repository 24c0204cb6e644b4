import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { AgentPaused, PolicyRefusal } from '../../src/kernel/index.js';
import { tempDatabase } from '../support/db.js';
import { keelWithAcme, startKeel, textIn, type TestKeel } from '../support/keel.js';

/**
 * The workspace's doors over HTTP (hono's in-process request, no browser):
 * who gets in, how a login link is spent, and which forms are accepted.
 */
const HOST = { host: '127.0.0.1:3000' };
const TOKEN = 'web-chat-token-0123456789';

const linkIn = (text: string) => /https?:\/\/\S+\/workspace\/login\?t=(\S+)/.exec(text)?.[1];
const cookieOf = (res: Response) => /keel_workspace=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
const formTokenIn = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1];

describe('workspace access on the embedded local default', () => {
  const db = tempDatabase();
  let keel: TestKeel;
  beforeAll(async () => {
    keel = await startKeel({ url: db.url });
  });
  afterAll(() => {
    keel?.close();
    db.remove();
  });

  it('lets loopback in without login, like the web chat, and nobody else', async () => {
    const local = await keel.http.request('/workspace', { headers: HOST });
    expect(local.status).toBe(200);
    expect(await local.text()).toContain('<h1>Timeline</h1>');
    expect((await keel.http.request('/workspace', { headers: { host: 'keel.example.com' } })).status).toBe(401);
  });

  it('still shows an action whose operation this configuration no longer has', async () => {
    // webhook.post exists only with WEBHOOK_URL; an action from when it was set stays in the ledger.
    await keel.storage.client.execute({
      sql: `INSERT INTO actions (id, idempotency_key, operation, input, input_hash, agent, reason, evidence, state, requires_approval, attempts, created_at, updated_at)
            VALUES ('act_old', 'old-key', 'webhook.post', '{}', 'h', 'operations', 'Sent when a webhook was configured.', '[]', 'succeeded', 1, 1, ?, ?)`,
      args: [Date.now(), Date.now()],
    });
    expect(await (await keel.http.request('/workspace', { headers: HOST })).text()).toContain('webhook.post');
    const why = await keel.http.request('/workspace/actions/act_old', { headers: HOST });
    expect(why.status).toBe(200);
    expect(await why.text()).toContain('webhook.post is not configured now');
  });
});

describe('workspace sign-in with one-time links', () => {
  const db = tempDatabase();
  const clock = new ManualClock('2026-11-25T09:00:00Z');
  let keel: TestKeel;
  beforeAll(async () => {
    keel = await startKeel({ url: db.url, clock, env: { WEB_CHAT_TOKEN: TOKEN, PUBLIC_URL: 'https://keel.example.com/' } });
  });
  afterAll(() => {
    keel?.close();
    db.remove();
  });

  const link = async () => {
    const reply = textIn((await keel.say('/workspace')).replies);
    expect(reply).toMatch(/^Your workspace: https:\/\/keel\.example\.com\/workspace\/login\?t=/);
    return linkIn(reply)!;
  };
  const open = (token: string, headers: Record<string, string> = {}) =>
    keel.http.request('/workspace/login', {
      method: 'POST',
      headers: { ...HOST, 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ t: token }).toString(),
    });
  const signIn = async () => {
    const res = await open(await link());
    expect(res.status).toBe(303);
    return cookieOf(res)!;
  };
  const get = (path: string, cookie?: string) => keel.http.request(path, { headers: { ...HOST, ...(cookie ? { cookie: `keel_workspace=${cookie}` } : {}) } });
  const post = (path: string, cookie: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
    keel.http.request(path, {
      method: 'POST',
      headers: { ...HOST, cookie: `keel_workspace=${cookie}`, 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
    });

  it('answers 401 without a session, even on loopback once a token is configured', async () => {
    const res = await get('/workspace');
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('Send <code>/workspace</code>');
    expect((await get('/workspace/agents', 'not-a-session')).status).toBe(401);
  });

  it('signs in once per link: opening the page spends nothing, the button does, with a strict HttpOnly cookie', async () => {
    const token = await link();
    // A chat app's link preview fetches the page; that must not use the link up.
    expect((await get(`/workspace/login?t=${token}`)).status).toBe(200);
    const res = await open(token);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/workspace');
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\/workspace/);
    const page = await get('/workspace', cookieOf(res));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('web:operator');

    const again = await open(token);
    expect(again.status).toBe(401);
    expect(await again.text()).toContain('already used');
    expect(cookieOf(again)).toBeUndefined();
  });

  it('refuses an expired link and a forged one', async () => {
    const token = await link();
    clock.advance(11 * 60_000);
    const late = await open(token);
    expect(late.status).toBe(401);
    expect(await late.text()).toContain('expired');

    const fresh = await link();
    const [payload, signature] = fresh.split('.');
    const forged = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { o: string };
    forged.o = 'telegram:666';
    const tampered = `${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`;
    expect((await open(tampered)).status).toBe(401);
    expect((await open('garbage')).status).toBe(401);
    expect((await open(`${fresh}x`)).status).toBe(401);
    // The untouched link still works: refusals spend nothing.
    expect((await open(fresh)).status).toBe(303);

    const refused = await keel.storage.client.execute("SELECT detail FROM audit_log WHERE event = 'workspace_link_refused'");
    expect(refused.rows.map((r) => JSON.parse(String(r.detail)).refusal).slice(-4)).toEqual(['expired', 'invalid', 'invalid', 'invalid']);
  });

  it('accepts a change only with the form token, and never from another site', async () => {
    const cookie = await signIn();
    const html = await (await get('/workspace/agents', cookie)).text();
    const csrf = formTokenIn(html)!;
    expect(csrf).toBeTruthy();

    expect((await post('/workspace/agents/sales/pause', cookie, {})).status).toBe(403);
    expect((await post('/workspace/agents/sales/pause', cookie, { csrf: `${csrf.startsWith('A') ? 'B' : 'A'}${csrf.slice(1)}` })).status).toBe(403);
    expect((await post('/workspace/agents/sales/pause', cookie, { csrf: `${csrf}x` })).status).toBe(403);
    expect((await post('/workspace/agents/sales/pause', cookie, { csrf }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await post('/workspace/agents/sales/pause', cookie, { csrf }, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    // Another browser's session has another token.
    const other = await signIn();
    expect((await post('/workspace/agents/sales/pause', other, { csrf })).status).toBe(403);
    expect(await keel.kernel.pauses.isPaused('sales')).toBe(false);

    const ok = await post('/workspace/agents/sales/pause', cookie, { csrf }, { origin: 'http://127.0.0.1:3000', 'sec-fetch-site': 'same-origin' });
    expect(ok.status).toBe(303);
    expect(await keel.kernel.pauses.isPaused('sales')).toBe(true);
    expect((await post('/workspace/agents/sales/resume', cookie, { csrf })).status).toBe(303);
    expect(await keel.kernel.pauses.isPaused('sales')).toBe(false);
  });

  it('signs out: the session is gone from the database, not only from the browser', async () => {
    const cookie = await signIn();
    const csrf = formTokenIn(await (await get('/workspace', cookie)).text())!;
    expect((await post('/workspace/logout', cookie, { csrf })).status).toBe(200);
    expect((await get('/workspace', cookie)).status).toBe(401);
  });
});

describe('acting from the workspace goes through the conversation, as chat does', () => {
  let keel: TestKeel;
  keelWithAcme((k) => (keel = k), { per: 'suite' });

  const page = async (path: string) => {
    const res = await keel.http.request(path, { headers: HOST });
    expect(res.status).toBe(200);
    return res.text();
  };
  const submit = (path: string, form: Record<string, string>) =>
    keel.http.request(path, {
      method: 'POST',
      headers: { ...HOST, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  /** The hidden fields of the form that posts to `action`, as the browser would send them. */
  const formFields = (html: string, action: string) => {
    const from = html.indexOf(`action="${action}"`);
    const form = from < 0 ? '' : html.slice(from, html.indexOf('</form>', from));
    return Object.fromEntries([...form.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
  };

  it('approves from the queue once, however often the form is sent, and undoes through the same approval flow', async () => {
    await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting');
    const approve = formFields(await page('/workspace/approvals'), '/workspace/decisions');
    expect(approve.decision).toBe('approve');
    const done = await submit('/workspace/decisions', approve);
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Done — issue an invoice: invoice 2026-0001');
    const twice = await submit('/workspace/decisions', approve);
    expect(await twice.text()).toContain('already handled');
    expect(await keel.count('invoices')).toBe(1);

    const [invoice] = await keel.kernel.list({ agent: 'finance' });
    const undo = formFields(await page(`/workspace/actions/${invoice!.id}`), `/workspace/actions/${invoice!.id}/compensate`);
    const undone = await (await submit(`/workspace/actions/${invoice!.id}/compensate`, undo)).text();
    expect(undone).toContain('Void an invoice');
    const [voiding] = await keel.kernel.list({ states: ['awaiting_approval'] });
    expect(voiding?.compensates).toBe(invoice!.id);
    expect((await keel.kernel.get(invoice!.id))?.state).toBe('succeeded');
    const transcript = await keel.conversation.history();
    expect(transcript.some((e) => e.direction === 'in' && e.message.kind === 'text' && e.message.text === `/undo ${invoice!.id}`)).toBe(true);
  });

  it('rewinds to a checkpoint from the checkpoints page', async () => {
    const html = await page('/workspace/checkpoints');
    const rewind = formFields(html, '/workspace/rewind');
    expect(rewind.checkpoint).toBeTruthy();
    const res = await submit('/workspace/rewind', rewind);
    expect(await res.text()).toContain(`Rewound to ${rewind.checkpoint!.slice(-12)}`);
  });

  it('exports the year from the exports page and serves the files for download, to the operator only', async () => {
    const form = formFields(await page('/workspace/exports'), '/workspace/exports');
    expect(form.what).toMatch(/^\d{4}$/);
    const done = await (await submit('/workspace/exports', form)).text();
    const links = [...done.matchAll(/href="(\/workspace\/files\/[^"]+)" download="([^"]+)"/g)].map((m) => [m[1]!.replaceAll('&amp;', '&'), m[2]!] as const);
    expect(links.map(([, name]) => name)).toEqual([`invoices-${form.what}.csv`, `invoices-${form.what}.zip`]);
    const csv = await keel.http.request(links[0]![0], { headers: HOST });
    expect(csv.headers.get('content-type')).toBe('text/csv');
    expect(csv.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="invoices-${form.what}\\.csv"`));
    expect(await csv.text()).toMatch(/^type,number,issue date/);
    // Downloads are signed per file: an address without this file's signature serves nothing.
    expect((await keel.http.request('/workspace/files/file_missing', { headers: HOST })).status).toBe(403);
    expect((await keel.http.request(links[0]![0], { headers: { host: 'keel.example.com' } })).status).toBe(401);
  });

  it('refuses a form without its token even on loopback', async () => {
    const approve = formFields(await page('/workspace/checkpoints'), '/workspace/rewind');
    expect((await submit('/workspace/rewind', { ...approve, csrf: '' })).status).toBe(403);
  });
});

describe('a paused agent proposes nothing', () => {
  let keel: TestKeel;
  keelWithAcme((k) => (keel = k), { per: 'suite' });

  it('answers in chat that the agent is paused, and the kernel refuses its requests', async () => {
    await keel.kernel.pauses.pause('finance', 'operator:web:operator');
    const before = await keel.count('actions');
    const reply = textIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies);
    expect(reply).toBe('Finance is paused; resume it in the workspace (/workspace) and ask again.');
    expect(await keel.count('actions')).toBe(before);

    const request = { operation: 'invoices.void', input: { invoiceId: 'inv_x' }, idempotencyKey: 'paused-test', agent: 'finance', reason: 'test' };
    const refusal = await keel.kernel.propose(request).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(AgentPaused);
    expect(refusal).toBeInstanceOf(PolicyRefusal);
    expect((refusal as Error).message).toMatch(/paused.*Resume it in the workspace/);
    const audited = await keel.storage.client.execute("SELECT actor, detail FROM audit_log WHERE event = 'refused'");
    expect(audited.rows.map((r) => [r.actor, JSON.parse(String(r.detail)).paused])).toEqual([['finance', true]]);

    const timeline = await (await keel.http.request('/workspace', { headers: HOST })).text();
    expect(timeline).toContain('Refused: invoices.void (the agent is paused)');
    expect(timeline).toContain('finance paused');
    const refusals = await (await keel.http.request('/workspace?state=refused&agent=finance', { headers: HOST })).text();
    expect(refusals.match(/class="entry/g)).toHaveLength(1);

    await keel.kernel.pauses.resume('finance', 'operator:web:operator');
    expect(textIn((await keel.say('Invoice Acme 2 hours at 150 EUR for a call')).replies)).not.toMatch(/paused/);
    expect(await keel.count('actions')).toBe(before + 1);
  });
});
