import { join } from 'node:path';
import { asc } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { sequentialIds } from '../../src/core/ids.js';
import { auditLog, createKernel, type Kernel } from '../../src/kernel/index.js';
import { createConnectors, outboxEmails } from '../../src/connectors/index.js';
import { smtpDelivery } from '../../src/connectors/email/delivery.node.js';
import type { Connector } from '../../src/kernel/connector.js';
import { nodePlatform } from '../../src/platform/node.js';
import { tempDatabase } from '../support/db.js';
import { gate, stalledLease } from '../support/gate.js';
import { startSmtp } from './smtp.js';

const lease = stalledLease;

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('an email connector whose lease was taken over', () => {
  it('does not send: the process that lost the lease stops at its heartbeat while the new owner sends the one message', async () => {
    const smtp = await startSmtp();
    const database = tempDatabase('keel-email-lease-');
    const storage = await database.open();
    cleanup = async () => {
      storage.close();
      database.remove();
      await smtp.close();
    };
    const clock = new ManualClock('2026-03-02T09:00:00Z');
    const settings = {
      filesDir: join(database.dir, 'files'),
      outboxDir: join(database.dir, 'outbox'),
      mailFrom: 'Olga Operator <olga@keel.test>',
      issuer: 'Olga Operator',
      smtpUrl: smtp.url,
    };
    const stalledFirst = gate();
    const slowSecond = gate();

    /** Process A is stopped as its email connector starts; its send is the real one once it wakes. */
    const stoppedAtStart = (connectors: Connector[]) =>
      connectors.map((c) =>
        c.name !== 'email'
          ? c
          : {
              ...c,
              operations: c.operations.map((op) => ({
                ...op,
                run: async (input: unknown, ctx: Parameters<typeof op.run>[1]) => {
                  await stalledFirst.wait();
                  return op.run(input, ctx);
                },
              })),
            },
      );
    const kernelFor = (owner: string, connectors: Connector[]): Kernel =>
      createKernel({
        db: storage.db,
        connectors,
        policy: { mayRequest: () => true, requiresApproval: () => true },
        clock,
        ids: sequentialIds(),
        random: () => 0.5,
        owner,
        lease,
      });
    const first = kernelFor('owner_a', stoppedAtStart(createConnectors({ db: storage.db, clock, ids: sequentialIds() }, settings, nodePlatform.stores)));
    // Process B's mail server is slow, so B is mid-hand-over (its row `sending`) when A wakes.
    const slowSmtp = smtpDelivery(smtp.url);
    const second = kernelFor(
      'owner_b',
      createConnectors({ db: storage.db, clock, ids: sequentialIds() }, settings, {
        ...nodePlatform.stores,
        delivery: () => ({
          ...slowSmtp,
          deliver: async (message, key) => {
            await slowSecond.wait();
            return slowSmtp.deliver(message, key);
          },
        }),
      }),
    );

    const proposed = await first.propose({
      operation: 'email.send',
      input: { to: 'dana@acme.test', subject: 'Following up', body: 'Shall we talk on Monday?' },
      idempotencyKey: 'mail:lease',
      agent: 'operator',
      reason: 'test',
    });
    // Sent mail cannot be unsent, so the send waits for the operator's approval, whatever the policy says.
    await first.decide({ ref: proposed.cardRef!, decision: 'approve', by: 'operator' });
    const running = first.execute(proposed.id);
    await stalledFirst.inside;

    // A's lease runs out; B's recovery finds the send not done and runs it, and is inside its hand-over.
    clock.advance(lease.ttlMs);
    const recovery = second.reconcile();
    await slowSecond.inside;
    expect(await storage.db.select().from(outboxEmails)).toEqual([expect.objectContaining({ status: 'sending', via: 'smtp' })]);

    // A wakes: it finds the message not yet sent, but its heartbeat finds the lease lost, so it sends nothing.
    stalledFirst.open();
    expect(await running).toMatchObject({ state: 'running', owner: 'owner_b' });
    expect(smtp.received).toHaveLength(0);

    slowSecond.open();
    expect(await recovery).toMatchObject({ rerun: 1 });
    expect(await first.get(proposed.id)).toMatchObject({ state: 'succeeded', owner: 'owner_b' });
    expect(smtp.received).toHaveLength(1);
    const events = (await storage.db.select().from(auditLog).orderBy(asc(auditLog.id))).map((e) => e.event);
    expect(events).toContain('lease_lost');
  });
});
