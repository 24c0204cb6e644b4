import { and, asc, count, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import type { Clock } from '../../core/clock.js';
import type { Db } from '../../storage/index.js';
import type { Operation } from '../connector.js';
import { actions } from '../tables.js';
import { ruleConditions, ruleFacts } from './spec.js';
import { ruleFires, standingRules } from './tables.js';

export type StandingRule = typeof standingRules.$inferSelect;
export type RuleStatus = StandingRule['status'];

/** The rule that waived approval for a request. */
export interface StandingApproval {
  ruleId: string;
  description: string;
  coversIrreversible: boolean;
}

const DAY_MS = 86_400_000;

export interface RuleStore {
  get(id: string): Promise<StandingRule | undefined>;
  /** The rule that lets this request through without a card, its use claimed under the key; undefined when none does. */
  approve(op: Operation, input: unknown, idempotencyKey: string): Promise<StandingApproval | undefined>;
  /** Every rule with how often it fired. */
  list(): Promise<(StandingRule & { fires: number })[]>;
  /** Moves a rule from one of `from` to `to` in one conditional update; undefined when it was in none of them. */
  setStatus(id: string, from: RuleStatus[], to: RuleStatus): Promise<StandingRule | undefined>;
}

/**
 * Standing rules and their fires. `approve` is the policy's question "does a
 * rule let this through?": conditions are checked against facts derived from
 * the validated input, and a use is claimed with one conditional INSERT, so a
 * count-per-day limit holds even when two proposals race.
 */
export function createRuleStore(db: Db, clock: Clock): RuleStore {
  const get = async (id: string) => (await db.select().from(standingRules).where(eq(standingRules.id, id)))[0];

  /** Has an earlier action of this operation for this client succeeded? That is what "existing client" means. */
  async function servedBefore(operation: string, clientId: string): Promise<boolean> {
    const rows = await db
      .select({ id: actions.id })
      .from(actions)
      .where(and(eq(actions.operation, operation), inArray(actions.state, ['succeeded']), sql`json_extract(${actions.input}, '$.clientId') = ${clientId}`))
      .limit(1);
    return rows.length > 0;
  }

  async function claim(rule: StandingRule, idempotencyKey: string): Promise<boolean> {
    const now = clock.now();
    const since = now.getTime() - DAY_MS;
    const limit = rule.perDay ?? Number.MAX_SAFE_INTEGER;
    const inserted = await db.run(sql`
      INSERT INTO ${ruleFires} (idempotency_key, rule_id, at)
      SELECT ${idempotencyKey}, ${rule.id}, ${now.getTime()}
      WHERE (SELECT count(*) FROM ${ruleFires} WHERE rule_id = ${rule.id} AND at > ${since}) < ${limit}
      ON CONFLICT DO NOTHING`);
    if (inserted.rowsAffected > 0) return true;
    // The same key already fired (a racing duplicate of one proposal): it is the same action.
    const [earlier] = await db.select().from(ruleFires).where(eq(ruleFires.idempotencyKey, idempotencyKey));
    return earlier?.ruleId === rule.id;
  }

  async function approve(op: Operation, input: unknown, idempotencyKey: string): Promise<StandingApproval | undefined> {
    const factsOf = ruleFacts[op.name];
    if (!factsOf) return undefined;
    const facts = factsOf((input ?? {}) as Record<string, unknown>);
    const now = clock.now();
    const candidates = await db
      .select()
      .from(standingRules)
      .where(
        and(eq(standingRules.operation, op.name), eq(standingRules.status, 'active'), or(isNull(standingRules.expiresAt), gt(standingRules.expiresAt, now))),
      )
      .orderBy(asc(standingRules.createdAt), asc(standingRules.id));
    const irreversible = op.compensation.kind === 'irreversible';
    for (const rule of candidates) {
      if (irreversible && !rule.coversIrreversible) continue;
      const c = ruleConditions.parse(rule.conditions);
      if (c.clientId !== undefined && facts.clientId !== c.clientId) continue;
      if (c.recipientDomain !== undefined && facts.recipientDomain !== c.recipientDomain.toLowerCase()) continue;
      if (rule.maxAmountMinor !== null && (facts.amountMinor === undefined || facts.currency !== rule.currency || facts.amountMinor > rule.maxAmountMinor))
        continue;
      if (c.existingClientsOnly && (facts.clientId === undefined || !(await servedBefore(op.name, facts.clientId)))) continue;
      if (await claim(rule, idempotencyKey)) return { ruleId: rule.id, description: rule.description, coversIrreversible: rule.coversIrreversible };
    }
    return undefined;
  }

  return {
    get,
    approve,
    async list(): Promise<(StandingRule & { fires: number })[]> {
      const rules = await db
        .select()
        .from(standingRules)
        .where(inArray(standingRules.status, ['active', 'paused']))
        .orderBy(asc(standingRules.createdAt));
      const counts = await db.select({ ruleId: ruleFires.ruleId, n: count() }).from(ruleFires).groupBy(ruleFires.ruleId);
      const byRule = new Map(counts.map((c) => [c.ruleId, c.n]));
      return rules.map((r) => ({ ...r, fires: byRule.get(r.id) ?? 0 }));
    },
    /** One conditional update, so pausing a revoked rule (or revoking twice) changes nothing. */
    async setStatus(id: string, from: RuleStatus[], to: RuleStatus): Promise<StandingRule | undefined> {
      const [row] = await db
        .update(standingRules)
        .set({ status: to, updatedAt: clock.now() })
        .where(and(eq(standingRules.id, id), inArray(standingRules.status, from)))
        .returning();
      return row;
    },
  };
}
