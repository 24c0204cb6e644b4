import { canonicalJson, sha256Hex, type IdSource } from '../core/ids.js';
import type { Clock } from '../core/clock.js';
import { defaultLease, type LeaseSettings } from '../core/lease.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { noTracer, type Tracer } from '../core/tracing.js';
import type { Db } from '../storage/index.js';
import { createApprovals, type Decision, type DecisionOutcome } from './approval.js';
import { createAudit, type AuditEntry } from './audit.js';
import type { Connector, Operation } from './connector.js';
import { IdempotencyConflict, InvalidInput, KernelError, NotCompensable, PolicyRefusal } from './errors.js';
import { createLedger, type Action, type ActionFilter } from './ledger.js';
import type { Policy } from './policy.js';
import { createPauses, type Pauses } from './pauses/index.js';
import { createReconciler, type ReconcileReport } from './reconcile.js';
import { createRegistry } from './registry.js';
import { actionRequest, parseOrThrow, type ActionRequest, type ParsedActionRequest } from './request.js';
import { defaultRetry, type RetrySettings } from './retry.js';
import { actionAttributes, createRunner } from './run.js';
import { createEdits, type ActionEdit, type SupersedeRequest, type SupersedeOutcome, type WithdrawRequest } from './edits/index.js';
import { readEvents, readTrail, type AuditRow } from './trail.js';

export interface KernelDeps {
  db: Db;
  connectors: Connector[];
  policy: Policy;
  clock: Clock;
  ids: IdSource;
  logger?: Logger;
  retry?: Partial<RetrySettings>;
  approvalTtlMs?: number;
  /** Jitter source for retry delays. */
  random?: () => number;
  /** Names this process in the leases of running actions; one per process or isolate (default: a fresh id). */
  owner?: string;
  /** How long a running action's lease lasts without renewal; recovery elsewhere takes over only after it ran out. */
  lease?: LeaseSettings;
  /** Spans for execute, each run and each connector call, carrying the ledger's action id and key (OTEL_EXPORTER_OTLP_ENDPOINT). */
  tracer?: Tracer;
}

export interface Kernel {
  /** Records the action: `awaiting_approval` (with a card reference and expiry) or `approved`. Repeating a key returns its row. */
  propose(req: ActionRequest): Promise<Action>;
  /**
   * Proposes if given a request, then runs the action if it is approved. Returns the ledger row after:
   * unchanged when it awaits approval or was rejected or expired, the recorded outcome when it already ran.
   */
  execute(reqOrActionId: ActionRequest | string): Promise<Action>;
  decide(d: Decision): Promise<DecisionOutcome>;
  /** Undoes a succeeded action through its declared compensation; returns the compensating action. */
  compensate(actionId: string, opts: { by: string; reason: string }): Promise<Action>;
  /** Settles running actions whose owner's lease ran out (a crashed or stalled process). Safe at any time: at start, on a timer, on a cron tick. */
  reconcile(): Promise<ReconcileReport>;
  /** Marks cards past their expiry as expired. */
  expireDue(): Promise<Action[]>;
  get(actionId: string): Promise<Action | undefined>;
  byRef(ref: string): Promise<Action | undefined>;
  /** The action recorded under an idempotency key, if any. */
  byKey(key: string): Promise<Action | undefined>;
  list(filter?: ActionFilter): Promise<Action[]>;
  operation(name: string): Operation;
  audit(entry: AuditEntry): Promise<void>;
  /** Replaces an open card by an edited one: the old action becomes `superseded` and the edit is recorded. */
  supersede(req: SupersedeRequest): Promise<SupersedeOutcome>;
  /** How an action was edited, if it was. */
  editOf(actionId: string): Promise<ActionEdit | undefined>;
  /** Withdraws an open card a rewind went back before (state `superseded`, no replacement, audited `withdrawn`); undefined when it was no longer open. */
  withdraw(req: WithdrawRequest): Promise<Action | undefined>;
  /** An action's audit entries, oldest first. */
  trail(actionId: string): Promise<AuditRow[]>;
  /** Audit entries of the given kinds that belong to no action (refusals, pause switches), newest first. */
  events(opts: { events: string[]; limit: number }): Promise<AuditRow[]>;
  /** The operator's pause switch per agent: a paused agent's proposals are refused. */
  pauses: Pauses;
}

const HOURS = 60 * 60 * 1000;
/** Compensations are keyed by the action they undo, so undoing twice is one undo. */
const COMPENSATION_KEY_PREFIX = 'compensate:';

/** The only door to side effects: every connector call is proposed, authorised, recorded and audited here. */
export function createKernel(deps: KernelDeps): Kernel {
  const { db, clock, ids, policy } = deps;
  const logger = deps.logger ?? silentLogger;
  const tracer = deps.tracer ?? noTracer;
  const approvalTtlMs = deps.approvalTtlMs ?? 48 * HOURS;
  const ledger = createLedger(db, clock);
  const audit = createAudit(db, clock, logger);
  const registry = createRegistry(deps.connectors, clock);
  const runner = createRunner({
    ledger,
    audit,
    registry,
    clock,
    logger,
    retry: { ...defaultRetry, ...deps.retry },
    random: deps.random ?? Math.random,
    owner: deps.owner ?? ids.id('owner'),
    lease: deps.lease ?? defaultLease,
    tracer,
  });
  const approvals = createApprovals({ ledger, audit, clock });
  const reconcile = createReconciler({ ledger, audit, registry, runner, clock });
  const edits = createEdits({ db, ledger, audit, clock });
  const pauses = createPauses({ db, clock, audit });

  function sameRequest(existing: Action, operation: string, inputHash: string): Action {
    if (existing.operation !== operation || existing.inputHash !== inputHash) {
      throw new IdempotencyConflict(existing.idempotencyKey, existing);
    }
    return existing;
  }

  async function record(req: ParsedActionRequest, compensates: string | null): Promise<Action> {
    const { op } = registry.resolve(req.operation);
    if (!policy.mayRequest(req.agent, op.name)) {
      await audit({
        actor: req.agent,
        event: 'refused',
        operation: op.name,
        reason: req.reason,
        evidence: req.evidence,
        detail: { idempotencyKey: req.idempotencyKey },
      });
      throw new PolicyRefusal(req.agent, op.name);
    }
    const input: unknown = parseOrThrow(op.input, req.input, `input for ${op.name}`);
    const inputHash = await sha256Hex(canonicalJson(input));
    const existing = await ledger.byKey(req.idempotencyKey);
    if (existing) return sameRequest(existing, op.name, inputHash);

    // Irreversible effects reach the operator unless a standing rule the operator explicitly confirmed for them covers the request.
    const irreversible = op.compensation.kind === 'irreversible';
    const gated = irreversible || (await policy.requiresApproval(op, { ...req, input }));
    const waived = gated && policy.standingApproval ? await policy.standingApproval(op, { ...req, input }) : undefined;
    const rule = waived && (!irreversible || waived.coversIrreversible) && !req.requireApproval ? waived : undefined;
    const needsApproval = gated && !rule;
    const now = clock.now();
    const inserted = await ledger.insert({
      id: ids.id('act'),
      idempotencyKey: req.idempotencyKey,
      operation: op.name,
      input,
      inputHash,
      agent: req.agent,
      reason: req.reason,
      evidence: req.evidence,
      threadId: req.threadId ?? null,
      turn: req.turn ?? null,
      warnings: req.warnings ?? [],
      state: needsApproval ? 'awaiting_approval' : 'approved',
      requiresApproval: needsApproval,
      cardRef: needsApproval ? ids.secret() : null,
      expiresAt: needsApproval ? new Date(now.getTime() + approvalTtlMs) : null,
      ...(rule ? { decidedBy: `rule:${rule.ruleId}`, decidedAt: now } : {}),
      compensates,
      createdAt: now,
      updatedAt: now,
    });
    if (!inserted) {
      // A concurrent caller recorded the same key between our read and insert.
      const raced = await ledger.byKey(req.idempotencyKey);
      if (!raced) throw new KernelError('ledger_conflict', `Could not record action "${req.idempotencyKey}"; retry the request.`);
      return sameRequest(raced, op.name, inputHash);
    }
    await audit({
      actor: req.agent,
      event: 'proposed',
      actionId: inserted.id,
      operation: op.name,
      reason: req.reason,
      evidence: req.evidence,
      detail: {
        state: inserted.state,
        idempotencyKey: inserted.idempotencyKey,
        ...(inserted.expiresAt ? { expiresAt: inserted.expiresAt.toISOString() } : {}),
        ...(compensates ? { compensates } : {}),
        ...(rule ? { approvedByRule: rule.ruleId } : {}),
      },
    });
    if (rule) {
      await audit({
        actor: `rule:${rule.ruleId}`,
        event: 'approved',
        actionId: inserted.id,
        operation: op.name,
        reason: `approved by rule ${rule.ruleId}: ${rule.description}`,
        evidence: [rule.ruleId],
      });
    }
    return inserted;
  }

  async function propose(req: ActionRequest): Promise<Action> {
    const parsed = parseOrThrow(actionRequest, req, 'action request');
    if (parsed.idempotencyKey.startsWith(COMPENSATION_KEY_PREFIX)) {
      throw new InvalidInput(
        'action request',
        `idempotencyKey: the prefix "${COMPENSATION_KEY_PREFIX}" is reserved for compensations; use compensate() to undo an action.`,
      );
    }
    return tracer.span(
      'kernel.propose',
      { 'keel.action.operation': parsed.operation, 'keel.action.key': parsed.idempotencyKey, 'keel.action.agent': parsed.agent },
      async (span) => {
        await pauses.check(parsed);
        const action = await record(parsed, null);
        span.set(actionAttributes(action));
        return action;
      },
    );
  }

  async function execute(reqOrActionId: ActionRequest | string): Promise<Action> {
    const asked =
      typeof reqOrActionId === 'string'
        ? { 'keel.action.id': reqOrActionId }
        : { 'keel.action.operation': reqOrActionId.operation, 'keel.action.key': reqOrActionId.idempotencyKey };
    return tracer.span('kernel.execute', asked, async (span) => {
      const action = typeof reqOrActionId === 'string' ? await ledger.require(reqOrActionId) : await propose(reqOrActionId);
      span.set(actionAttributes(action));
      const after = await runner.advance(action);
      span.set(actionAttributes(after));
      return after;
    });
  }

  async function compensate(actionId: string, opts: { by: string; reason: string }): Promise<Action> {
    const original = await ledger.require(actionId);
    if (original.state === 'compensated' && original.compensatedBy) return ledger.require(original.compensatedBy);
    const { op } = registry.resolve(original.operation);
    if (op.compensation.kind === 'irreversible') {
      throw new NotCompensable(`${op.name} (action ${original.id}) cannot be undone: ${op.compensation.note}. Propose a correcting action instead.`);
    }
    if (original.state !== 'succeeded') {
      throw new NotCompensable(`Action ${original.id} (${op.name}) is ${original.state}; only a succeeded action can be undone.`);
    }
    const req = parseOrThrow(
      actionRequest,
      {
        operation: op.compensation.operation,
        input: op.compensation.input(original.input, original.result),
        idempotencyKey: `${COMPENSATION_KEY_PREFIX}${original.id}`,
        agent: opts.by,
        reason: opts.reason,
        evidence: [original.id],
        threadId: original.threadId ?? undefined,
      },
      'compensation request',
    );
    return runner.advance(await record(req, original.id));
  }

  return {
    propose,
    execute,
    decide: approvals.decide,
    compensate,
    reconcile,
    expireDue: approvals.expireDue,
    get: ledger.get,
    byRef: ledger.byRef,
    byKey: ledger.byKey,
    list: (filter) => ledger.list(filter),
    operation: (name) => registry.resolve(name).op,
    audit,
    supersede: edits.supersede,
    editOf: edits.editOf,
    withdraw: edits.withdraw,
    trail: readTrail(db),
    events: readEvents(db),
    pauses,
  };
}
