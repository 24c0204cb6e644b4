import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { PRUNE_EVERY } from '../../src/graph/index.js';
import { cardsIn, keelWithAcme, startKeel, textIn, type TestKeel } from '../support/keel.js';
import { tempDatabase } from '../support/db.js';

describe('/history and /rewind', () => {
  let keel: TestKeel;
  const clock = new ManualClock('2026-11-02T09:00:00Z');
  keelWithAcme((k) => (keel = k), { per: 'test', clock });

  const executions = async (actionId: string) =>
    Number(
      (await keel.storage.client.execute({ sql: "SELECT count(*) AS n FROM audit_log WHERE action_id = ? AND event = 'running'", args: [actionId] })).rows[0]!
        .n,
    );

  it('lists the thread’s steps with the actions of their turns', async () => {
    const card = cardsIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies)[0]!;
    // A turn is checkpointed at its input and where it ends or stops at a card: the invoice turn's two and the client's end.
    const history = textIn((await keel.say('/history 3')).replies);
    expect(history).toMatch(/^Last 3 steps, newest first/);
    expect(history).toContain(`${card.actionId} invoices.issue awaiting approval`);
  });

  it('replays from before an approved and executed action without executing it again', async () => {
    const card = cardsIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies)[0]!;
    await keel.tap(card.ref);
    expect(await keel.count('invoices')).toBe(1);
    expect(await executions(card.actionId)).toBe(1);

    // The invoice request's input checkpoint (before __start__, still showing the state the turn before left), listed just below its turn.
    const lines = textIn((await keel.say('/history 30')).replies).split('\n');
    const step = lines[lines.findLastIndex((line) => line.includes('Invoice Acme')) + 1];
    expect(step).toMatch(/ · before __start__ · /);
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

  it('checkpoints a request at its input and where it ends or stops at a card, and a decision once', async () => {
    const checkpoints = () => keel.count('checkpoints');
    const before = await checkpoints();
    await keel.say('remember that Acme prefers email');
    expect(await checkpoints()).toBe(before + 2);
    const card = cardsIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies)[0]!;
    expect(await checkpoints()).toBe(before + 4);
    await keel.tap(card.ref);
    expect(await checkpoints()).toBe(before + 5);
    expect(await keel.count('invoices')).toBe(1);
  });

  it('asks for a step it cannot find', async () => {
    expect(textIn((await keel.say('/rewind nosuchstep')).replies)).toMatch(/Which step\?/);
  });
});

describe('/history and /rewind over a pruned history', () => {
  it('keeps the window of turns and rewinds to the oldest of them', async () => {
    const db = tempDatabase();
    const keel = await startKeel({ url: db.url, env: { CHECKPOINT_HISTORY_TURNS: '5' } });
    try {
      const checkpoints = () => keel.count('checkpoints');
      // /history shows at most 50 steps and a note turn stores 2 checkpoints (its input and its end): the whole window fits once pruned.
      for (let turn = 0; turn < PRUNE_EVERY - 1; turn++) await keel.say(`remember that note ${turn} matters`);
      const unpruned = await checkpoints();
      // The event that completes a round queues the pruning behind itself; commands such as /history answer at once
      // (they never wait on the thread), so the test waits for the queue to drain.
      await keel.say('remember that note last matters');
      await keel.conversation.idle();
      const history = textIn((await keel.say('/history 50')).replies);
      expect(await checkpoints()).toBeLessThan(unpruned / 3);

      // The live turn ("/history" runs no turn) and 5 finished ones, step by step; notes 0 to 18 fell out of the window
      // (the oldest step, the input of note 19's turn, still shows the state note 18 left).
      const steps = history.split('\n').filter((line) => / · step -?\d+ · /.test(line));
      const said = [...new Set(steps.map((line) => /"(.*)"$/.exec(line)?.[1]).filter((s) => s !== undefined))];
      expect(said).toEqual(['remember that note last matters', ...[23, 22, 21, 20, 19, 18].map((n) => `remember that note ${n} matters`)]);
      expect(steps.at(-1)).toMatch(/ · step \d+ · before __start__ · "remember that note 18 matters"$/);
      const oldest = steps.findLast((line) => line.includes('end of turn'))!;
      expect(oldest).toMatch(/end of turn · "remember that note 19 matters"$/);

      const rewound = textIn((await keel.say(`/rewind ${oldest.split(' · ')[0]}`)).replies);
      expect(rewound).toMatch(/Rewound to .*; the conversation continues from there\./);
      expect(textIn((await keel.say("what's overdue?")).replies)).not.toBe('');
    } finally {
      keel.close();
      db.remove();
    }
  });
});

describe('/rewind withdraws what came after it', () => {
  let keel: TestKeel;
  keelWithAcme((k) => (keel = k), { per: 'test', clock: new ManualClock('2026-11-02T09:00:00Z') });

  it('withdraws the cards proposed after the checkpoint, says what it withdrew and what stays done, and a tap answers "withdrawn by rewind"', async () => {
    const invoice = cardsIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies)[0]!;
    const paid = cardsIn((await keel.say('Invoice Acme 2 hours at 150 EUR for a review')).replies)[0]!;
    await keel.tap(paid.ref);
    const meeting = cardsIn((await keel.say('book a call with Dana on 2026-11-26 14:30')).replies)[0]!;

    const history = textIn((await keel.say('/history 50')).replies);
    // A turn that left a card open rests before the approval gate ("before wait"): its last step.
    const step = history.split('\n').find((line) => line.includes('before wait') && line.includes('October cons'));
    expect(step).toBeDefined();
    const rewound = await keel.say(`/rewind ${step!.split(' · ')[0]}`);
    const said = textIn(rewound.replies);
    expect(said).toContain('Rewound to');
    expect(said).toContain('(during "Invoice Acme 10 hours at 150 EUR for October cons…")');
    expect(said).toContain(`Withdrawn — this card was proposed after that point and can no longer be approved:\n• book a meeting (action ${meeting.actionId})`);
    expect(said).toMatch(
      /Not undone — these already happened after that point[^\n]*\n• Done — issue an invoice: invoice 2026-0001, 300\.00 EUR[^\n]*\(\/undo act_\w+\)/,
    );
    expect(said).not.toContain('I did not understand');
    // The withdrawn card is shown in its new state (so every app redraws it without buttons); the replay shows the open one again.
    expect(cardsIn(rewound.replies).find((c) => c.ref === meeting.ref)).toMatchObject({ state: 'superseded', decidedBy: 'rewind:web:operator' });

    const tapped = await keel.tap(meeting.ref);
    expect(textIn(tapped.replies)).toContain('This card was withdrawn by rewind');
    expect(await keel.count('meetings')).toBe(0);
    const audit = await keel.kernel.trail(meeting.actionId);
    expect(audit.map((r) => [r.event, r.actor])).toContainEqual(['withdrawn', 'web:operator']);
    // The card from before the checkpoint is still open and still works.
    expect((await keel.kernel.get(invoice.actionId))!.state).toBe('awaiting_approval');
    await keel.tap(invoice.ref);
    expect(await keel.count('invoices')).toBe(2);
  });
});
