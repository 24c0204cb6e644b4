import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { ManualClock } from '../../src/core/clock.js';
import { sequentialIds } from '../../src/core/ids.js';
import { actions, createKernel, type Action } from '../../src/kernel/index.js';
import { createConnectors, type ConnectorSettings } from '../../src/connectors/index.js';
import { tempDatabase } from '../support/db.js';
import { nodePlatform } from '../../src/platform/node.js';

/**
 * Keel's real connectors behind a real kernel on a temp libSQL file, with the
 * files and outbox folders beside it. Requests come from the operator, so
 * policy allows everything and effects that leave Keel wait for approval.
 */
export async function connectorKernel(settings: Partial<ConnectorSettings> = {}, opts: { maxAttempts?: number } = {}) {
  const database = tempDatabase('keel-connectors-');
  const storage = await database.open();
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const ids = sequentialIds();
  const dirs = { files: join(database.dir, 'files'), outbox: join(database.dir, 'outbox') };
  const connectors = createConnectors(
    { db: storage.db, clock, ids },
    { filesDir: dirs.files, outboxDir: dirs.outbox, mailFrom: 'Olga Operator <olga@keel.test>', issuer: 'Olga Operator', ...settings },
    nodePlatform.stores,
  );
  const kernel = createKernel({
    db: storage.db,
    connectors,
    policy: { mayRequest: () => true, requiresApproval: (op) => op.leavesSystem || op.compensation.kind === 'irreversible' },
    clock,
    ids,
    random: () => 0.5,
    retry: { maxAttempts: opts.maxAttempts ?? 5 },
  });

  /** Proposes as the operator, approves the card if one opens, and runs it. */
  async function act(operation: string, input: unknown, idempotencyKey: string): Promise<Action> {
    const proposed = await kernel.propose({ operation, input, idempotencyKey, agent: 'operator', reason: 'test' });
    if (proposed.state === 'awaiting_approval') await kernel.decide({ ref: proposed.cardRef!, decision: 'approve', by: 'operator' });
    return kernel.execute(proposed.id);
  }

  /** Undoes an action through its compensation, approving the compensating card if one opens. */
  async function undo(actionId: string): Promise<Action> {
    const compensation = await kernel.compensate(actionId, { by: 'operator', reason: 'test' });
    if (compensation.state !== 'awaiting_approval') return compensation;
    await kernel.decide({ ref: compensation.cardRef!, decision: 'approve', by: 'operator' });
    return kernel.execute(compensation.id);
  }

  /** Approves an action and leaves it `running` without running it: the ledger as a process killed right after taking it leaves it. */
  async function strandBeforeRun(operation: string, input: unknown, idempotencyKey: string): Promise<Action> {
    const proposed = await kernel.propose({ operation, input, idempotencyKey, agent: 'operator', reason: 'test' });
    if (proposed.state === 'awaiting_approval') await kernel.decide({ ref: proposed.cardRef!, decision: 'approve', by: 'operator' });
    await storage.db.update(actions).set({ state: 'running' }).where(eq(actions.id, proposed.id));
    return proposed;
  }

  /** Puts a finished action back to `running`: the ledger as a process killed after the effect but before recording it leaves it. */
  async function strandAfterRun(actionId: string): Promise<void> {
    await storage.db.update(actions).set({ state: 'running', result: null, error: null }).where(eq(actions.id, actionId));
  }

  async function addClient(name: string, email?: string): Promise<string> {
    const done = await act('records.upsert_client', { name, ...(email ? { email } : {}) }, `client:${name}`);
    return (done.result as { clientId: string }).clientId;
  }

  const cleanup = () => {
    storage.close();
    database.remove();
  };
  return { storage, db: storage.db, clock, kernel, dirs, act, undo, strandBeforeRun, strandAfterRun, addClient, cleanup };
}

export type ConnectorKernel = Awaited<ReturnType<typeof connectorKernel>>;
