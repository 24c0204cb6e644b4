import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import type { IdSource } from '../../core/ids.js';
import type { Db } from '../../storage/index.js';
import { ConnectorError, defineOperation, type Connector } from '../connector.js';
import { ruleSpec } from './spec.js';
import type { RuleStatus, RuleStore } from './store.js';
import { standingRules } from './tables.js';

const ruleId = z.object({ rule: z.string().min(1) });

/**
 * Rules change through the kernel like any effect: each change is an action
 * in the ledger, audited, idempotent and undoable (create ↔ revoke, pause ↔ resume).
 */
export function rulesConnector(deps: { db: Db; clock: Clock; ids: IdSource; store: RuleStore }): Connector {
  const { db, clock, ids, store } = deps;
  const byKey = async (key: string) => (await db.select().from(standingRules).where(eq(standingRules.createdByKey, key)))[0];

  const create = defineOperation({
    name: 'rules.create',
    summary: 'create a standing approval rule',
    input: ruleSpec,
    leavesSystem: false,
    async run(spec, ctx) {
      const now = clock.now();
      await db
        .insert(standingRules)
        .values({
          id: ids.id('rule'),
          operation: spec.operation,
          description: spec.description,
          conditions: spec.conditions,
          maxAmountMinor: spec.maxAmountMinor,
          currency: spec.currency,
          perDay: spec.perDay,
          expiresAt: spec.expiresAt ? new Date(spec.expiresAt) : undefined,
          coversIrreversible: spec.coversIrreversible,
          status: 'active',
          createdBy: `action:${ctx.actionId}`,
          createdByKey: ctx.idempotencyKey,
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing();
      return { rule: (await byKey(ctx.idempotencyKey))!.id };
    },
    async lookup(key) {
      const row = await byKey(key);
      return row ? { status: 'done', result: { rule: row.id } } : { status: 'not_done' };
    },
    compensation: { kind: 'operation', operation: 'rules.revoke', input: (_i, r) => ({ rule: (r as { rule: string }).rule }) },
  });

  const change = (name: string, summary: string, from: RuleStatus[], to: RuleStatus, undo: string) =>
    defineOperation({
      name,
      summary,
      input: ruleId,
      leavesSystem: false,
      async run({ rule }) {
        const changed = await store.setStatus(rule, from, to);
        if (changed) return { rule, status: to };
        const current = await store.get(rule);
        if (current?.status === to) return { rule, status: to };
        throw new ConnectorError(
          current ? `Rule ${rule} is ${current.status}; it cannot be ${to === 'active' ? 'resumed' : to}.` : `There is no rule ${rule}; /rules lists them.`,
          { retryable: false },
        );
      },
      async lookup(_key, { rule }) {
        const current = await store.get(rule);
        return current?.status === to ? { status: 'done', result: { rule, status: to } } : { status: 'not_done' };
      },
      compensation: { kind: 'operation', operation: undo, input: (original) => original },
    });

  return {
    name: 'rules',
    operations: [
      create,
      change('rules.pause', 'pause a standing rule', ['active'], 'paused', 'rules.resume'),
      change('rules.resume', 'resume a standing rule', ['paused'], 'active', 'rules.pause'),
      change('rules.revoke', 'revoke a standing rule', ['active', 'paused'], 'revoked', 'rules.reinstate'),
      change('rules.reinstate', 'reinstate a revoked rule', ['revoked'], 'active', 'rules.revoke'),
    ],
  };
}
