import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { cardsIn, keelWithAcme, textIn, type TestKeel } from '../support/keel.js';

describe('/history and /rewind', () => {
  let keel: TestKeel;
  const clock = new ManualClock('2026-11-02T09:00:00Z');
  keelWithAcme((k) => (keel = k), { per: 'test', clock });

  const executions = async (actionId: string) =>
    Number((await keel.storage.client.execute({ sql: "SELECT count(*) AS n FROM audit_log WHERE action_id = ? AND event = 'running'", args: [actionId] })).rows[0]!.n);

  it('lists the thread’s steps with the actions of their turns', async () => {
    const card = cardsIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies)[0]!;
    const history = textIn((await keel.say('/history 5')).replies);
    expect(history).toMatch(/^Last 5 steps, newest first/);
    expect(history).toContain(`${card.actionId} invoices.issue awaiting approval`);
  });

  it('replays from before an approved and executed action without executing it again', async () => {
    const card = cardsIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies)[0]!;
    await keel.tap(card.ref);
    expect(await keel.count('invoices')).toBe(1);
    expect(await executions(card.actionId)).toBe(1);

    const history = textIn((await keel.say('/history 30')).replies);
    const step = history.split('\n').find((line) => line.includes('before tools') && line.includes('Invoice Acme'));
    expect(step).toBeDefined();
    const rewound = textIn((await keel.say(`/rewind ${step!.split(' · ')[0]}`)).replies);

    expect(rewound).toMatch(/replayed from there; what that request had already done is recognised below and was not repeated/);
    // The replayed tool call proposed the same key, so the ledger answered with the recorded outcome.
    expect(rewound).toContain('Issued invoice 2026-0001 to Acme Corp: 1,500.00 EUR.');
    expect(await keel.count('invoices')).toBe(1);
    expect(await executions(card.actionId)).toBe(1);
    expect((await keel.kernel.list()).filter((a) => a.operation === 'invoices.issue')).toHaveLength(1);
    // The thread goes on from the rewound branch.
    expect(textIn((await keel.say('show invoices for Acme')).replies)).toContain('2026-0001');
  });

  it('asks for a step it cannot find', async () => {
    expect(textIn((await keel.say('/rewind nosuchstep')).replies)).toMatch(/Which step\?/);
  });
});
