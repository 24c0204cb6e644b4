import { describe, expect, it } from 'vitest';
import { NotCompensable } from '../../src/kernel/index.js';
import { kernelPerTest, noteRequest } from './support.js';

const start = kernelPerTest();

describe('compensation', () => {
  it('undoes a succeeded action and marks the original compensated', async () => {
    const { kernel, effects, auditTrail } = await start();
    const original = await kernel.execute(noteRequest('wrong client', 'note:c1'));

    const undo = await kernel.compensate(original.id, { by: 'operator:42', reason: 'noted for the wrong client' });

    expect(undo).toMatchObject({
      state: 'succeeded',
      operation: 'notes.remove',
      idempotencyKey: `compensate:${original.id}`,
      agent: 'operator:42',
      compensates: original.id,
      input: { noteId: 'note:note:c1' },
      evidence: [original.id],
      threadId: original.threadId,
    });
    expect(await kernel.get(original.id)).toMatchObject({ state: 'compensated', compensatedBy: undo.id });
    expect((await effects.list()).map((e) => e.operation)).toEqual(['notes.add', 'notes.remove']);
    expect(await auditTrail()).toContainEqual(
      expect.objectContaining({ event: 'compensated', actor: 'operator:42', actionId: original.id, detail: { compensatedBy: undo.id } }),
    );

    expect(await kernel.compensate(original.id, { by: 'operator:42', reason: 'again' })).toEqual(await kernel.get(undo.id));
    expect(await effects.list()).toHaveLength(2);
  });

  it('sends a compensation that leaves Keel through approval before it runs', async () => {
    const { kernel, effects } = await start();
    const issue = { operation: 'invoices.issue', input: { client: 'Ana', amount: 900 }, idempotencyKey: 'inv:1', agent: 'finance', reason: 'project done' };
    const proposed = await kernel.propose(issue);
    await kernel.decide({ ref: proposed.cardRef!, decision: 'approve', by: 'operator:42' });
    const original = await kernel.execute(proposed.id);
    expect(original.state).toBe('succeeded');

    const undo = await kernel.compensate(original.id, { by: 'finance', reason: 'wrong amount' });
    expect(undo).toMatchObject({ state: 'awaiting_approval', operation: 'invoices.void', compensates: original.id });
    expect(await kernel.get(original.id)).toMatchObject({ state: 'succeeded' });

    await kernel.decide({ ref: undo.cardRef!, decision: 'approve', by: 'operator:42' });
    expect(await kernel.execute(undo.id)).toMatchObject({ state: 'succeeded', result: { voided: 'inv:inv:1' } });
    expect(await kernel.get(original.id)).toMatchObject({ state: 'compensated', compensatedBy: undo.id });
    expect((await effects.list()).map((e) => e.operation)).toEqual(['invoices.issue', 'invoices.void']);
  });

  it('refuses to undo an irreversible action and suggests a correcting action', async () => {
    const { kernel } = await start();
    const proposed = await kernel.propose({
      operation: 'mail.send',
      input: { to: 'a@b.example', subject: 'Hi' },
      idempotencyKey: 'm1',
      agent: 'sales',
      reason: 'r',
    });
    await kernel.decide({ ref: proposed.cardRef!, decision: 'approve', by: 'operator:42' });
    const sent = await kernel.execute(proposed.id);

    const refused = kernel.compensate(sent.id, { by: 'operator:42', reason: 'oops' });
    await expect(refused).rejects.toBeInstanceOf(NotCompensable);
    await expect(refused).rejects.toThrow(/mail\.send .* cannot be undone: a sent email cannot be recalled\. Propose a correcting action/);
    expect(await kernel.get(sent.id)).toMatchObject({ state: 'succeeded', compensatedBy: null });
  });

  it('refuses to undo an action that has not succeeded', async () => {
    const { kernel } = await start();
    const proposed = await kernel.propose({
      operation: 'invoices.issue',
      input: { client: 'Ana', amount: 1 },
      idempotencyKey: 'inv:2',
      agent: 'finance',
      reason: 'r',
    });
    await expect(kernel.compensate(proposed.id, { by: 'operator:42', reason: 'r' })).rejects.toThrow(
      /is awaiting_approval; only a succeeded action can be undone/,
    );
    await expect(kernel.compensate('act_missing', { by: 'operator:42', reason: 'r' })).rejects.toMatchObject({ code: 'action_not_found' });
  });

  it("holds the compensation to the requesting agent's scope", async () => {
    const { kernel } = await start();
    const original = await kernel.execute(noteRequest('n', 'note:c2'));
    await expect(kernel.compensate(original.id, { by: 'finance', reason: 'r' })).rejects.toMatchObject({ code: 'policy_refusal' });
    expect(await kernel.get(original.id)).toMatchObject({ state: 'succeeded' });
  });
});
