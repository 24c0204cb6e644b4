import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDatabase } from '../support/db.js';
import { kill, runUntil } from '../support/child.js';
import { startKeel, textIn } from '../support/keel.js';

const child = fileURLToPath(new URL('./restart-child.ts', import.meta.url));

describe('an approval survives the process that raised it', () => {
  let db: ReturnType<typeof tempDatabase>;
  beforeEach(() => {
    db = tempDatabase();
  });
  afterEach(() => db.remove());

  const pausedCard = async () => {
    const { child: paused, match } = await runUntil(child, ['pause', db.url], /REF=(\S+)/);
    await kill(paused);
    return match[1]!;
  };

  it('is approved from a new process after SIGKILL, with exactly one effect, and a second tap does nothing', async () => {
    const ref = await pausedCard();
    const keel = await startKeel({ url: db.url });
    await keel.recover();
    expect(await keel.count('invoices')).toBe(0);

    const approved = await keel.tap(ref);
    expect(textIn(approved.replies)).toContain('invoice 2026-0001');
    const again = await keel.tap(ref);
    expect(textIn(again.replies)).toMatch(/Already approved/);
    expect(await keel.count('invoices')).toBe(1);
    keel.close();
  });

  it('carries out a decision recorded just before a crash, once, when the next process starts', async () => {
    const ref = await pausedCard();
    const { child: deciding } = await runUntil(child, ['decide', db.url, ref], /DECIDED/);
    await kill(deciding);

    const keel = await startKeel({ url: db.url });
    const published: unknown[] = [];
    keel.hub.subscribe((m) => published.push(m));
    await keel.recover();
    expect(await keel.count('invoices')).toBe(1);
    expect(published).toContainEqual({ kind: 'text', text: expect.stringContaining('invoice 2026-0001') });

    await keel.recover();
    expect(textIn((await keel.tap(ref)).replies)).toMatch(/Already approved/);
    expect(await keel.count('invoices')).toBe(1);
    keel.close();
  });
});
