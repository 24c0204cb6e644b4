import { asc, eq, sql } from 'drizzle-orm';
import type { Clock } from '../../core/clock.js';
import type { Db } from '../../storage/index.js';
import type { Audit } from '../audit.js';
import { InvalidInput, PolicyRefusal } from '../errors.js';
import { isOperator } from '../policy.js';
import { agentPauses } from './tables.js';

export { agentPauses };
export type Pause = typeof agentPauses.$inferSelect;

/** A paused agent asked for something: the policy would allow it, the operator's switch does not. */
export class AgentPaused extends PolicyRefusal {
  constructor(agent: string, operation: string) {
    super(agent, operation);
    this.message = `Agent "${agent}" is paused, so it may not request ${operation}. Resume it in the workspace (/workspace) to let it act again.`;
  }
}

export interface Pauses {
  /** The agent's pause, if it is paused. */
  get(agent: string): Promise<Pause | undefined>;
  isPaused(agent: string): Promise<boolean>;
  /** Every paused agent, by name. */
  list(): Promise<Pause[]>;
  /** Pauses the agent (pausing twice is one pause) and audits it; the operator cannot be paused (InvalidInput). */
  pause(agent: string, by: string): Promise<Pause>;
  /** True when the agent was paused and now is not. */
  resume(agent: string, by: string): Promise<boolean>;
  /** Throws AgentPaused (and audits the refusal) when the requesting agent is paused. */
  check(req: { agent: string; operation: string; reason: string; evidence: string[]; idempotencyKey: string }): Promise<void>;
}

/**
 * The operator's pause switch per agent, kept as data in libSQL so every
 * process on the database sees it. Pausing twice is one pause; the operator
 * (and "operator:<id>") cannot be paused.
 */
export function createPauses(deps: { db: Db; clock: Clock; audit: Audit }): Pauses {
  const { db, clock, audit } = deps;

  // Asked before every proposal, so built once.
  const byAgent = db
    .select()
    .from(agentPauses)
    .where(eq(agentPauses.agent, sql.placeholder('agent')))
    .limit(1)
    .prepare();
  const get = async (agent: string): Promise<Pause | undefined> => (await byAgent.all({ agent }))[0];

  return {
    get,
    isPaused: async (agent: string) => (await get(agent)) !== undefined,
    list: (): Promise<Pause[]> => db.select().from(agentPauses).orderBy(asc(agentPauses.agent)),

    async pause(agent: string, by: string): Promise<Pause> {
      if (isOperator(agent)) throw new InvalidInput('pause', `${agent} is the operator, who cannot be paused.`);
      const [inserted] = await db.insert(agentPauses).values({ agent, pausedBy: by, pausedAt: clock.now() }).onConflictDoNothing().returning();
      if (inserted) await audit({ actor: by, event: 'agent_paused', detail: { agent } });
      return inserted ?? (await get(agent))!;
    },

    /** True when the agent was paused and now is not. */
    async resume(agent: string, by: string): Promise<boolean> {
      const removed = await db.delete(agentPauses).where(eq(agentPauses.agent, agent)).returning();
      if (removed.length) await audit({ actor: by, event: 'agent_resumed', detail: { agent } });
      return removed.length > 0;
    },

    /** Refuses (and audits the refusal) when the requesting agent is paused. */
    async check(req: { agent: string; operation: string; reason: string; evidence: string[]; idempotencyKey: string }): Promise<void> {
      if (isOperator(req.agent) || !(await get(req.agent))) return;
      await audit({
        actor: req.agent,
        event: 'refused',
        operation: req.operation,
        reason: req.reason,
        evidence: req.evidence,
        detail: { idempotencyKey: req.idempotencyKey, paused: true },
      });
      throw new AgentPaused(req.agent, req.operation);
    },
  };
}
