import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { NotCompensable } from '../../src/kernel/index.js';
import { messageIdFor, outboxEmails } from '../../src/connectors/index.js';
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

const mail = { to: 'dana@acme.test', subject: 'Following up', body: 'Hello Dana,\nshall we talk on Monday?' };
const rows = (e: ConnectorKernel) => e.db.select().from(outboxEmails);

describe('email through the local outbox (no SMTP configured)', () => {
  it('writes one .eml per key, with the Message-ID derived from the key, and a sent row', async () => {
    env = await connectorKernel();
    const done = await env.act('email.send', mail, 'mail:1');
    expect(done.state).toBe('succeeded');
    const again = await env.act('email.send', mail, 'mail:1');
    expect(again.id).toBe(done.id);

    const files = readdirSync(env.dirs.outbox);
    expect(files).toHaveLength(1);
    const eml = readFileSync(join(env.dirs.outbox, files[0]!), 'utf8');
    expect(eml).toContain(`Message-ID: ${await messageIdFor('mail:1')}`);
    expect(eml).toContain('To: dana@acme.test');
    expect(eml).toContain('From: Olga Operator <olga@keel.test>');
    expect(await rows(env)).toEqual([
      expect.objectContaining({ status: 'sent', via: 'outbox', to: 'dana@acme.test', emlFile: join(env.dirs.outbox, files[0]!) }),
    ]);
  });

  it('answers lookup from the folder when a crash came between the file and the row', async () => {
    env = await connectorKernel();
    const op = env.kernel.operation('email.send');
    expect(await op.lookup('mail:2', mail)).toEqual({ status: 'not_done' });
    await env.act('email.send', mail, 'mail:2');
    // The process died after writing the .eml but before marking the row sent.
    await env.db.update(outboxEmails).set({ status: 'sending' }).where(eq(outboxEmails.idempotencyKey, 'mail:2'));
    expect(await op.lookup('mail:2', mail)).toMatchObject({ status: 'done', result: { to: 'dana@acme.test' } });
  });
});

describe('email through SMTP', () => {
  it('retries a deferred send (421) and delivers exactly one message', async () => {
    smtp = await startSmtp((attempt) => (attempt === 1 ? { code: 421, message: 'Try again later' } : 'accept'));
    env = await connectorKernel({ smtpUrl: smtp.url });
    const done = await env.act('email.send', mail, 'mail:smtp:1');

    expect(done).toMatchObject({ state: 'succeeded', attempts: 2, result: { to: 'dana@acme.test', via: 'smtp' } });
    expect(smtp.attempts()).toBe(2);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.raw).toContain(`Message-ID: ${await messageIdFor('mail:smtp:1')}`);
    expect(smtp.received[0]!.raw).toContain('shall we talk on Monday?');
    expect(await rows(env)).toEqual([expect.objectContaining({ status: 'sent', via: 'smtp', error: null })]);
  });

  it('sends a duplicate key once', async () => {
    smtp = await startSmtp();
    env = await connectorKernel({ smtpUrl: smtp.url });
    const [a, b] = await Promise.all([env.act('email.send', mail, 'mail:dup'), env.act('email.send', mail, 'mail:dup')]);
    expect(a.id).toBe(b.id);
    await env.act('email.send', mail, 'mail:dup');
    expect(smtp.received).toHaveLength(1);
  });

  it('fails a permanent refusal (550) at once, saying what the server said', async () => {
    smtp = await startSmtp(() => ({ code: 550, message: 'No such user here' }));
    env = await connectorKernel({ smtpUrl: smtp.url });
    const failed = await env.act('email.send', mail, 'mail:550');
    expect(failed.state).toBe('failed');
    expect(failed.attempts).toBe(1);
    expect(failed.error).toMatch(/^The mail server 127\.0\.0\.1:\d+ refused the message to dana@acme\.test: 550 No such user here/);
    expect(smtp.received).toHaveLength(0);
    // Refused for certain, so a later look finds nothing sent.
    expect(await env.kernel.operation('email.send').lookup('mail:550', mail)).toEqual({ status: 'not_done' });
  });

  it('treats an unreachable server as retryable', async () => {
    smtp = await startSmtp();
    const url = smtp.url;
    await smtp.close();
    smtp = undefined;
    env = await connectorKernel({ smtpUrl: url }, { maxAttempts: 2 });
    const failed = await env.act('email.send', mail, 'mail:down');
    expect(failed).toMatchObject({ state: 'failed', attempts: 2 });
    expect(failed.error).toMatch(/Could not reach the mail server 127\.0\.0\.1:\d+/);
  });

  it('cannot be undone: the compensation is a correction email', async () => {
    smtp = await startSmtp();
    env = await connectorKernel({ smtpUrl: smtp.url });
    const sent = await env.act('email.send', mail, 'mail:undo');
    await expect(env.kernel.compensate(sent.id, { by: 'operator', reason: 'typo' })).rejects.toThrow(NotCompensable);
    await expect(env.kernel.compensate(sent.id, { by: 'operator', reason: 'typo' })).rejects.toThrow(/correction email/);
  });

  describe('reconciliation after a crash', () => {
    it('done: a message the server accepted is recorded, not sent again', async () => {
      smtp = await startSmtp();
      env = await connectorKernel({ smtpUrl: smtp.url });
      const sent = await env.act('email.send', mail, 'mail:rec:done');
      await env.strandAfterRun(sent.id);
      expect(await env.kernel.reconcile()).toEqual({ reconciled: 1, needsAttention: 0, rerun: 0, restoredEntries: 0 });
      expect(await env.kernel.get(sent.id)).toMatchObject({ state: 'succeeded', result: { messageId: await messageIdFor('mail:rec:done') } });
      expect(smtp.received).toHaveLength(1);
    });

    it('not done: a message never handed over is sent once', async () => {
      smtp = await startSmtp();
      env = await connectorKernel({ smtpUrl: smtp.url });
      const stranded = await env.strandBeforeRun('email.send', mail, 'mail:rec:not');
      expect(await env.kernel.reconcile()).toEqual({ reconciled: 0, needsAttention: 0, rerun: 1, restoredEntries: 0 });
      expect(await env.kernel.get(stranded.id)).toMatchObject({ state: 'succeeded' });
      expect(smtp.received).toHaveLength(1);
    });

    it('unknown: a hand-over cut off after the data goes to the operator, not out again', async () => {
      smtp = await startSmtp(() => 'drop');
      env = await connectorKernel({ smtpUrl: smtp.url }, { maxAttempts: 1 });
      const cut = await env.act('email.send', mail, 'mail:rec:unknown');
      expect(await rows(env)).toEqual([expect.objectContaining({ status: 'sending' })]);
      await env.strandAfterRun(cut.id);
      expect(await env.kernel.reconcile()).toEqual({ reconciled: 0, needsAttention: 1, rerun: 0, restoredEntries: 0 });
      expect(await env.kernel.get(cut.id)).toMatchObject({ state: 'needs_attention', error: expect.stringMatching(/check the Sent folder/) });
      expect(smtp.received).toHaveLength(1);
    });
  });
});
