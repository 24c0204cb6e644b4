import { and, eq } from 'drizzle-orm';
import type { Action, Kernel } from '../kernel/index.js';
import { KernelError } from '../kernel/index.js';
import type { Clock } from '../core/clock.js';
import type { IdSource } from '../core/ids.js';
import type { Db } from '../storage/index.js';
import { localDate, startOfLocalDay } from '../core/zoned-time.js';
import { agentNames, cardFor, invoiceTerms, outcomeLine, scopes } from '../agents/index.js';
import { lineVatFor } from '../core/vat.js';
import type { BillingDetails } from '../core/billing-details.js';
import type { ApprovalViews, Outbound } from '../graph/index.js';
import {
  activePlaybooks,
  clientById,
  playbookById,
  playbookRuns,
  playbookStep,
  renderStep,
  triggerSubjects,
  upcomingMeetings,
  type Playbook,
  type PlaybookRun,
  type PlaybookSubject,
} from '../records/index.js';

/** A step's action is keyed by its run and position: a resumed run finds each step it already proposed, never a second one. */
export const stepKey = (runId: string, index: number) => `playbook:${runId}:${index}`;
const STEP_KEY = /^playbook:([^:]+):(\d+)$/;

export interface PlaybookRunnerDeps {
  db: Db;
  kernel: Kernel;
  clock: Clock;
  ids: IdSource;
  timeZone: string;
  approvals: Pick<ApprovalViews, 'gather'>;
  /** BUSINESS_PROFILE: a deposit invoice's seller, under what was set in chat. */
  profile?: BillingDetails | undefined;
}

export interface PlaybookRunner {
  /** Whether the action is a step of a playbook run (or an edit of one): the runner carries it out, in order, never the conversation. */
  owns(action: Action): Promise<boolean>;
  /** Carries on the runs these decided steps belong to; returns what happened, one line each. */
  advance(actions: Action[]): Promise<string[]>;
  /** Fires playbooks for events that happened, and carries on every unfinished run (a job, each minute, and at start). */
  tick(): Promise<void>;
}

/** Which agent proposes an operation: the first whose scope has it, so the kernel's policy and pause switches apply. */
const agentFor = (operation: string) => agentNames.find((a) => scopes[a].operations.includes(operation)) ?? 'operations';

/**
 * Playbooks as durable workflows. A run starts when its trigger's event happened (one run per playbook and record),
 * with its steps' inputs rendered once and stored; every step is then proposed through the kernel under its own key
 * (run + position), the ones that need approval gathered into one message, and carried out strictly in order: a step
 * runs only after the one before it succeeded (a rejected one is skipped), a failed one stops the run with its reason
 * (and undoes the finished ones when the playbook says so). The run's position moves only after a step's outcome is
 * in the ledger, so a crash anywhere resumes at the step that was next, and a finished step is recognised by its key.
 */
export function createPlaybookRunner(deps: PlaybookRunnerDeps): PlaybookRunner {
  const { db, kernel, clock, ids, timeZone } = deps;
  const runById = async (id: string) => (await db.select().from(playbookRuns).where(eq(playbookRuns.id, id)))[0];

  /**
   * Tells the operator once, under a key of its own. The messages are composed only while the key is unused: a
   * notice a crash left recorded is carried on as recorded (its gathered message names the batch made then).
   */
  async function notify(key: string, reason: string, compose: () => Promise<Outbound[]>, evidence: string[]): Promise<void> {
    const recorded = await kernel.byKey(key);
    if (recorded) {
      await kernel.execute(recorded.id);
      return;
    }
    await kernel.execute({
      operation: 'operator.notify',
      input: { kind: 'playbook', messages: await compose() },
      idempotencyKey: key,
      agent: 'operations',
      reason,
      evidence,
    });
  }

  /** The first working day after today, within `days`, whose `time` has no meeting booked; an instant in the operator's zone. */
  async function freeSlot(days: number, time: string): Promise<string | undefined> {
    const now = clock.now();
    const booked = await upcomingMeetings(db, now, 200);
    const [hour, minute] = time.split(':').map(Number) as [number, number];
    let working = 0;
    for (let ahead = 1; working < days && ahead <= days * 3; ahead++) {
      const midnight = startOfLocalDay(now, timeZone, ahead);
      const weekday = new Date(`${localDate(midnight, timeZone)}T12:00:00Z`).getUTCDay();
      if (weekday === 0 || weekday === 6) continue;
      working++;
      const start = new Date(midnight.getTime() + (hour * 60 + minute) * 60_000);
      if (!booked.some((m) => m.status === 'booked' && m.startsAt.getTime() === start.getTime())) return start.toISOString();
    }
    return undefined;
  }

  /**
   * A deposit step's invoice is an invoice like one asked for in chat: its one hourly line gets the VAT the business
   * profile and the client decide, the profile's payment terms and the rule on its card; without the profile or the
   * client's billing address the run cannot start, and says what is missing.
   */
  async function taxed(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (operation !== 'invoices.issue' || 'vat' in input || 'lines' in input) return input;
    const client = await clientById(db, String(input.clientId));
    if (!client) throw new Error(`There is no client ${String(input.clientId)} to invoice.`);
    const terms = await invoiceTerms(db, deps.profile, client);
    if ('question' in terms) throw new Error(terms.question);
    return {
      ...input,
      vat: lineVatFor(terms.tax),
      dueDays: terms.profile.paymentTermsDays ?? 30,
      tax: { rule: terms.tax.rule, ...(terms.tax.note ? { note: terms.tax.note } : {}) },
    };
  }

  /** Records the run once per playbook and subject, its inputs rendered now; a template that cannot be read fails it at once. */
  async function open(playbook: Playbook, subject: PlaybookSubject): Promise<void> {
    const now = clock.now();
    const steps = playbookStep.array().parse(playbook.steps);
    const inputs: Record<string, unknown>[] = [];
    let problem: string | undefined;
    try {
      // Free slots depend on the calendar, which is read (async) before rendering; each distinct slot once.
      const wanted = [...JSON.stringify(steps).matchAll(/\{\{\s*workday\((\d{1,2})\)\s+(\d{2}:\d{2})\s*\}\}/g)].map((m) => `${m[1]} ${m[2]}`);
      const slots = new Map<string, string | undefined>();
      for (const slot of new Set(wanted)) {
        const [days, time] = slot.split(' ') as [string, string];
        slots.set(slot, await freeSlot(Number(days), time));
      }
      for (const step of steps)
        inputs.push(
          await taxed(
            step.operation,
            renderStep(step, subject.context, (days, time) => slots.get(`${days} ${time}`)),
          ),
        );
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    await db
      .insert(playbookRuns)
      .values({
        id: ids.id('run'),
        playbookId: playbook.id,
        subjectId: subject.id,
        inputs: problem ? [] : inputs,
        title: subject.title,
        state: problem ? 'failed' : 'running',
        message: problem ? `It could not start: ${problem}` : null,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing();
  }

  /** Proposes every step not yet proposed (each under its key) and, once, gathers those waiting for approval into one message. */
  async function propose(run: PlaybookRun, playbook: Playbook): Promise<void> {
    const steps = playbookStep.array().parse(playbook.steps);
    const proposed: Action[] = [];
    for (const [index, step] of steps.entries()) {
      const key = stepKey(run.id, index);
      proposed.push(
        (await kernel.byKey(key)) ??
          (await kernel.propose({
            operation: step.operation,
            input: run.inputs[index],
            idempotencyKey: key,
            agent: agentFor(step.operation),
            reason: `Step ${index + 1} of playbook "${playbook.name}" [${playbook.id}], for ${run.title}.`,
            evidence: [playbook.id, run.subjectId],
          })),
      );
    }
    const waiting = proposed.filter((a) => a.state === 'awaiting_approval');
    if (!waiting.length) return;
    const parts = await Promise.all(
      proposed.map(async (a) => {
        const card = await cardFor(db, a, kernel.operation(a.operation), timeZone);
        const total = card.facts.find((f) => f.label === 'Total')?.value;
        return `${card.title}${total ? ` ${total}` : ''}`;
      }),
    );
    const summary = `${playbook.name} for ${run.title}: ${parts.join(', ')} — Approve all, or review each card below`;
    await notify(`playbook:${run.id}:gathered`, `Playbook "${playbook.name}" fired for ${run.title}.`, () => deps.approvals.gather(summary, waiting), [
      playbook.id,
      run.subjectId,
    ]);
  }

  /** Moves the run from `step` to the next one, only if no one else did (a second process, a repeated tick). */
  const moveOn = (run: PlaybookRun) =>
    db
      .update(playbookRuns)
      .set({ step: run.step + 1, updatedAt: clock.now() })
      .where(and(eq(playbookRuns.id, run.id), eq(playbookRuns.step, run.step), eq(playbookRuns.state, 'running')));

  async function finish(run: PlaybookRun, playbook: Playbook, state: 'done' | 'failed', message: string): Promise<void> {
    await db
      .update(playbookRuns)
      .set({ state, message, updatedAt: clock.now() })
      .where(and(eq(playbookRuns.id, run.id), eq(playbookRuns.state, 'running')));
    await notify(
      `playbook:${run.id}:${state}`,
      `Playbook "${playbook.name}" ${state === 'done' ? 'finished' : 'stopped'} for ${run.title}.`,
      async () => [{ kind: 'text', text: message }],
      [playbook.id, run.subjectId],
    );
  }

  /** Undoes the run's finished steps, newest first, each once (a compensation is keyed by the action it undoes). */
  async function compensate(run: PlaybookRun, upTo: number): Promise<string[]> {
    const lines: string[] = [];
    for (let index = upTo - 1; index >= 0; index--) {
      const done = await current(stepKey(run.id, index));
      if (done?.state !== 'succeeded') continue;
      try {
        const undo = await kernel.compensate(done.id, { by: 'operations', reason: `Playbook run ${run.id} stopped at step ${upTo + 1}.` });
        lines.push(`undo of step ${index + 1}: ${undo.state.replace(/_/g, ' ')}`);
      } catch (error) {
        if (!(error instanceof KernelError)) throw error;
        lines.push(`step ${index + 1} stays: ${error.message}`);
      }
    }
    return lines;
  }

  /** The step's action as it stands: an edited card's replacement (Edit on a step's card), followed to the last edit. */
  async function current(key: string): Promise<Action | undefined> {
    let action = await kernel.byKey(key);
    for (let hops = 0; action?.state === 'superseded' && hops < 20; hops++) {
      const edit = await kernel.editOf(action.id);
      const replacement = edit && (await kernel.byKey(edit.replacedByKey));
      // Superseded a moment before its replacement is proposed: the step waits for it.
      if (!replacement) return action;
      action = replacement;
    }
    return action;
  }

  /** The run an action is a step of: by its key, or, for an edited card's replacement, by the superseded card it cites. */
  async function runOf(action: Action): Promise<string | undefined> {
    let found: Action | undefined = action;
    for (let hops = 0; found && hops < 20; hops++) {
      const run = STEP_KEY.exec(found.idempotencyKey)?.[1];
      if (run) return run;
      // An edit's replacement cites the card it replaced as its first action in evidence (after the operator's message).
      const replaced: string | undefined = found.evidence.find((e: string) => e.startsWith('act_'));
      found = replaced ? await kernel.get(replaced) : undefined;
      if (found && found.state !== 'superseded') return undefined;
    }
    return undefined;
  }

  /** Carries the run on as far as it can go now; returns what happened. */
  async function carryOn(runId: string): Promise<string[]> {
    const lines: string[] = [];
    for (;;) {
      const run = await runById(runId);
      if (run?.state !== 'running') return lines;
      const playbook = await playbookById(db, run.playbookId);
      if (!playbook) return lines;
      const steps = playbookStep.array().parse(playbook.steps);
      if (run.step >= steps.length) {
        await finish(run, playbook, 'done', `Playbook "${playbook.name}" for ${run.title}: done, all ${steps.length} steps.`);
        return lines;
      }
      let action = await current(stepKey(run.id, run.step));
      if (!action) {
        await propose(run, playbook);
        continue;
      }
      const step = `step ${run.step + 1} of ${steps.length}`;
      switch (action.state) {
        case 'proposed':
        case 'awaiting_approval':
        case 'running':
        case 'superseded':
          return lines;
        case 'approved':
          action = await kernel.execute(action.id);
          lines.push(`${playbook.name}, ${step}: ${outcomeLine(action, kernel.operation(action.operation), timeZone)}`);
          if (action.state === 'running') return lines;
          continue;
        case 'succeeded':
        case 'rejected':
          // A rejected step is the operator saying "not this one": the run goes on without it.
          await moveOn(run);
          continue;
        default: {
          const why = action.error ? `: ${action.error.replace(/\.$/, '')}` : ` (${action.state.replace(/_/g, ' ')})`;
          const undone = playbook.compensateOnFailure ? await compensate(run, run.step) : [];
          const message = `Playbook "${playbook.name}" for ${run.title} stopped at ${step}, ${kernel.operation(action.operation).summary}${why}. The steps after it were not done.${undone.length ? ` Undone as the playbook says: ${undone.join('; ')}.` : ''}`;
          await finish(run, playbook, 'failed', message);
          lines.push(message);
          return lines;
        }
      }
    }
  }

  return {
    owns: async (action) => (await runOf(action)) !== undefined,
    async advance(actions) {
      const runIds = [...new Set((await Promise.all(actions.map(runOf))).filter((id): id is string => id !== undefined))];
      const lines: string[] = [];
      for (const id of runIds) {
        const run = await runById(id);
        if (run && run.state !== 'running') {
          lines.push(`That playbook run (${run.title}) ${run.state === 'done' ? 'is done' : 'stopped earlier'}; this step is not carried out.`);
          continue;
        }
        lines.push(...(await carryOn(id)));
      }
      return lines;
    },
    async tick() {
      const now = clock.now();
      for (const playbook of await activePlaybooks(db)) {
        for (const subject of await triggerSubjects(db, playbook, now, timeZone)) {
          const [known] = await db
            .select({ id: playbookRuns.id })
            .from(playbookRuns)
            .where(and(eq(playbookRuns.playbookId, playbook.id), eq(playbookRuns.subjectId, subject.id)));
          if (!known) await open(playbook, subject);
        }
      }
      // A run that could not start says why, once (also when a crash fell between recording it and saying so).
      for (const run of await db.select().from(playbookRuns).where(eq(playbookRuns.state, 'failed'))) {
        const playbook = await playbookById(db, run.playbookId);
        if (!playbook || !run.message?.startsWith('It could not start')) continue;
        await notify(
          `playbook:${run.id}:failed`,
          `Playbook "${playbook.name}" could not start for ${run.title}.`,
          async () => [{ kind: 'text', text: `Playbook "${playbook.name}" for ${run.title}: ${run.message}` }],
          [playbook.id, run.subjectId],
        );
      }
      const unfinished = await db.select().from(playbookRuns).where(eq(playbookRuns.state, 'running'));
      for (const run of unfinished) {
        const playbook = await playbookById(db, run.playbookId);
        // A paused playbook's runs wait where they are; a deleted one's stop.
        if (!playbook || playbook.status === 'paused') continue;
        if (playbook.status === 'deleted') {
          await finish(run, playbook, 'failed', `Playbook "${playbook.name}" was deleted; its run for ${run.title} stopped at step ${run.step + 1}.`);
          continue;
        }
        await propose(run, playbook);
        await carryOn(run.id);
      }
    },
  };
}
