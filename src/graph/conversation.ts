import { Command } from '@langchain/langgraph';
import { and, eq } from 'drizzle-orm';
import { ConnectorError, type Kernel } from '../kernel/index.js';
import type { Clock } from '../core/clock.js';
import { noTracer, type Tracer } from '../core/tracing.js';
import type { Logger } from '../core/logger.js';
import type { Db } from '../storage/index.js';
import { appendTranscript, recentTranscript } from '../memory/index.js';
import { cardFor } from '../agents/index.js';
import type { ConversationGraph } from './build.js';
import { inbound as inboundSchema, keepsFile, MAX_UPLOAD_BYTES, type Inbound, type Outbound, type Upload } from '../chat/index.js';
import { inbox } from './tables.js';
import { shortUtc } from '../core/zoned-time.js';
import { parseCommand, type CommandSet } from './commands.js';
import type { ApprovalViews } from './approvals.js';
import { closedCards, createCardMessages, type CardMessages } from './card-messages.js';
import type { ApprovalCard } from '../chat/index.js';
import type { Admission } from './admission.js';
import type { TurnLease } from './turn-lease.js';

export interface ConversationDeps {
  graph: ConversationGraph;
  kernel: Kernel;
  db: Db;
  clock: Clock;
  logger: Logger;
  timeZone: string;
  /** Whether this sender (e.g. "telegram:4242") is one of the configured operators. */
  isOperator(sender: string): boolean;
  commands: CommandSet;
  /** Why, superseded notes and batches: answered without the model. */
  approvals: ApprovalViews;
  /** How often a stranger is answered and audited before Keel goes quiet towards them (src/graph/admission.ts). */
  admission: Admission;
  /** This process's lease on the conversation while it has events in hand (turn-lease.ts); recovery elsewhere waits for it. */
  turns: TurnLease;
  /** Told of every card a reply shows closed, so other apps can redraw their copies of it. */
  onCardsClosed?: (cards: ApprovalCard[]) => Promise<void>;
  /** Sends what a deferred run said (a decision acknowledged while a request was in progress) to the operator's chats, redrawing closed cards. */
  deliver?: (replies: Outbound[]) => Promise<void>;
  /** Trims the thread's stored checkpoint history to its window; run between events every PRUNE_EVERY events. */
  pruneHistory?: () => Promise<unknown>;
  /**
   * Whether the thread rests at an interrupt, read from the checkpointer without
   * loading the state (LibSQLSaver.waitsAtInterrupt); without it, from `graph.getState`.
   */
  waitsAtInterrupt?: () => Promise<boolean>;
  /**
   * Reads a stored file's bytes (the files store's id, as a `file` reply names it); app.ts passes the files
   * store's reader, so transports can send a file without reaching for a connector.
   */
  readFile?: (id: string) => Promise<{ file: { name: string; contentType: string }; bytes: Uint8Array }>;
  /** Each admitted event is the root span of its trace, named by its inbound id as the ledger's `turn` is (OTEL_EXPORTER_OTLP_ENDPOINT). */
  tracer?: Tracer;
}

/** Pruning reads the whole kept history, so it runs once per this many events rather than after each. */
export const PRUNE_EVERY = 25;
/** Turns kept with every checkpoint they wrote (a request's input and its end or card, per step in older histories and runs resumed by a message at the gate); older turns keep their last. */
export const DETAILED_HISTORY_TURNS = 20;

export type HandleResult =
  | { status: 'handled'; replies: Outbound[] }
  | { status: 'duplicate'; replies: [] }
  | { status: 'refused'; replies: Outbound[] }
  | { status: 'invalid'; replies: Outbound[] };

/** A stored file as a transport sends it, or why it cannot be had (deleted, its content missing, no files store). */
export type FileContent = { ok: true; name: string; contentType: string; bytes: Uint8Array } | { ok: false; reason: string };

/** The solo operator has one conversation, so a card raised in one app can be decided from another. */
export const OPERATOR_THREAD = 'op:owner';

const text = (t: string): Outbound => ({ kind: 'text', text: t });
/** LangGraph's name for the writer of a run's input: a state update under it is the checkpoint `invoke(input)` starts with. */
const INPUT_NODE = '__input__';

/** Base64 without Node's Buffer, so the conversation runs on Workers too; in chunks, since spreading megabytes overflows the stack. */
function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * The one entrance for every transport: validate, check the sender, record the
 * event in the inbox (a re-delivery stops there), record decisions in the
 * ledger, then run or resume the operator's graph thread, one event at a time.
 */
export function createConversation(deps: ConversationDeps): Conversation {
  const { graph, kernel, db, clock, logger } = deps;
  let queue: Promise<unknown> = Promise.resolve();
  let requestsInProgress = 0;
  // One run of the thread at a time per process: LangGraph threads must not run twice concurrently.
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  /** A run that may wait on the model: while one is queued or running, decisions are acknowledged rather than awaited. */
  const request = <T>(work: () => Promise<T>): Promise<T> => {
    requestsInProgress += 1;
    return serialized(work).finally(() => {
      requestsInProgress -= 1;
    });
  };
  /**
   * The operator's controls never wait for the model: while a request holds the thread (a slow or hung model),
   * a decision is recorded and acknowledged at once, and its run follows when the thread is free, its replies
   * delivered to the operator's chats then.
   */
  const whenFree = async (work: () => Promise<Outbound[]>, acknowledgement: string): Promise<Outbound[]> => {
    if (!requestsInProgress || !deps.deliver) return serialized(work);
    const deliver = deps.deliver;
    void serialized(work)
      .then(deliver)
      .catch(async (error: unknown) => {
        logger.error('a deferred run failed', { error });
        await deliver([text('Carrying out your decision failed; it is recorded, and Keel continues it at the next start. The server log has the details.')]);
      });
    return [text(acknowledgement)];
  };
  const config = { configurable: { thread_id: OPERATOR_THREAD } };
  let handledSincePrune = 0;

  /**
   * Queued behind the event that triggered it, so the reply is not delayed and no
   * turn runs while history is pruned; a failure leaves history longer, never
   * shorter, so it is logged and the next round tries again.
   */
  function schedulePrune(): void {
    const prune = deps.pruneHistory;
    if (prune === undefined || ++handledSincePrune < PRUNE_EVERY) return;
    handledSincePrune = 0;
    void serialized(prune).catch((error: unknown) => logger.warn('pruning the checkpoint history failed; it stays longer until the next round', { error }));
  }

  async function isWaiting(): Promise<boolean> {
    if (deps.waitsAtInterrupt) return deps.waitsAtInterrupt();
    const snapshot = await graph.getState(config);
    return snapshot.tasks.some((task) => task.interrupts.length > 0);
  }

  /**
   * A turn is checkpointed where its event becomes durable and where it ends (or stops at the gate), not after
   * every node: a crash in between leaves the head at the turn's input, and recovery re-runs the turn from its
   * start (`resumeDecided`), where every effect it proposes carries the same key (thread, request, operation,
   * input) and is recognised rather than repeated. A new request is written as LangGraph's input checkpoint
   * first. A decision is in the ledger before the thread resumes, so recovery resumes the gate from it; any
   * other event that resumes the gate is known only to the thread, so that run keeps a checkpoint per step.
   */
  async function run(event: Inbound): Promise<Outbound[]> {
    if (await isWaiting()) {
      const durability = event.payload.kind === 'decision' ? 'exit' : 'async';
      return (await graph.invoke(new Command({ resume: event }), { ...config, durability })).replies;
    }
    await graph.updateState(config, { inbound: event, replies: null, scratch: null }, INPUT_NODE);
    return (await graph.invoke(null, { ...config, durability: 'exit' })).replies;
  }

  async function decide(event: Inbound & { payload: { kind: 'decision' } }): Promise<Outbound[] | undefined> {
    const outcome = await kernel.decide({ ref: event.payload.ref, decision: event.payload.decision, by: event.sender });
    if (outcome.outcome === 'not_found') return [text('I do not know that card; it may have been removed.')];
    if (outcome.outcome === 'decided') return undefined;
    const { action } = outcome;
    if (outcome.outcome === 'superseded') return deps.approvals.superseded(action);
    const card: Outbound = { kind: 'card', card: await cardFor(db, action, kernel.operation(action.operation), deps.timeZone) };
    if (outcome.outcome === 'expired') {
      return [card, text(`This card expired at ${action.expiresAt ? shortUtc(action.expiresAt) : 'its deadline'}; nothing was done.`)];
    }
    const verb = action.state === 'rejected' ? 'rejected' : 'approved';
    return [
      card,
      text(
        `Already ${verb} by ${action.decidedBy ?? 'someone'} at ${action.decidedAt ? shortUtc(action.decidedAt) : 'an earlier time'}; nothing more was done.`,
      ),
    ];
  }

  /**
   * One tap on a batch approves exactly the cards it listed, each through its own
   * decision and its own run, so each effect happens once under its own key. A
   * second tap finds them decided and does nothing more.
   */
  async function approveBatch(event: Inbound, ref: string): Promise<Outbound[]> {
    const found = await deps.approvals.batch(ref);
    if (!found) return [text('I do not know that batch; /pending offers a new one.')];
    const decided: string[] = [];
    const skipped: string[] = [];
    for (const action of found.actions) {
      if (!action.cardRef) continue;
      const outcome = await kernel.decide({ ref: action.cardRef, decision: 'approve', by: event.sender });
      if (outcome.outcome !== 'decided') {
        skipped.push(`${action.id} ${outcome.outcome === 'not_found' ? 'not found' : action.state.replace(/_/g, ' ')}`);
        continue;
      }
      decided.push(action.cardRef);
    }
    const status = decided.length
      ? `Approved ${decided.length} of ${found.actions.length} by ${event.sender}${skipped.length ? `; already decided or closed: ${skipped.join(', ')}` : ''}`
      : `All ${found.actions.length} were already decided; nothing more was done`;
    const batch: Outbound = { kind: 'batch', batch: { ...found.batch, status } };
    if (!decided.length) return [batch];
    const runs = async () => {
      const replies: Outbound[] = [];
      for (const ref of decided) replies.push(...(await run({ ...event, payload: { kind: 'decision', ref, decision: 'approve' } })));
      return replies;
    };
    return [batch, ...(await whenFree(runs, 'Keel is still working on your previous request; these follow as soon as it finishes.'))];
  }

  async function cardAction(event: Inbound & { payload: { kind: 'card_action' } }): Promise<Outbound[]> {
    const { action, ref } = event.payload;
    if (action === 'batch') return approveBatch(event, ref);
    const target = await kernel.byRef(ref);
    if (!target) return [text('I do not know that card; it may have been removed.')];
    if (action === 'why') return deps.approvals.why(target);
    // Edit re-plans through the card's agent, so it runs in the graph; the tap is acknowledged at once all the same.
    return whenFree(() => run(event), `Edit noted. Keel is finishing your previous request; it will then ask what should change on this card.`);
  }

  const handle = (raw: unknown, upload?: Upload): Promise<HandleResult> => deps.turns.hold(() => handleEvent(raw, upload));

  /**
   * A document or photo is fetched only now, once the event is admitted (an operator's, not a re-delivery), and
   * stored through the kernel under the event's key, so a re-run finds the file it stored. The event then names it.
   */
  async function stored(event: Inbound & { payload: { kind: 'upload' } }, upload: Upload | undefined): Promise<Inbound | string> {
    const { file } = event.payload;
    if (!keepsFile(file.contentType))
      return `Keel keeps PDFs and photos (JPEG, PNG, WebP, HEIC, GIF); ${file.name} is ${file.contentType}, so it was not kept.`;
    const tooLarge = `${file.name} is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB; Keel keeps files up to that size, so it was not kept.`;
    if ((file.size ?? 0) > MAX_UPLOAD_BYTES) return tooLarge;
    if (!upload) return `${file.name} came without its content; send it again.`;
    let bytes: Uint8Array;
    try {
      bytes = await upload.download();
    } catch (error) {
      logger.warn('could not download a file the operator sent', { transport: event.transport, error });
      return `Keel could not fetch ${file.name} from the chat app; nothing was kept. Send it again.`;
    }
    if (bytes.byteLength > MAX_UPLOAD_BYTES) return tooLarge;
    const action = await kernel.execute({
      operation: 'files.put',
      input: { name: file.name, contentType: file.contentType, contentBase64: base64(bytes) },
      idempotencyKey: `upload:${event.transport}:${event.eventId}`,
      agent: `operator:${event.sender}`,
      reason: 'The operator sent this file in the chat.',
      evidence: [`msg:${event.transport}:${event.eventId}`],
      threadId: OPERATOR_THREAD,
      turn: `${event.transport}:${event.eventId}`,
    });
    const fileId = (action.result as { fileId?: string } | null)?.fileId;
    if (action.state !== 'succeeded' || !fileId) return `Keel could not store ${file.name} (${action.state.replace(/_/g, ' ')}); send it again.`;
    return { ...event, payload: { ...event.payload, file: { ...file, id: fileId } } };
  }

  async function handleEvent(raw: unknown, upload?: Upload): Promise<HandleResult> {
    const parsed = inboundSchema.safeParse(raw);
    if (!parsed.success) {
      return { status: 'invalid', replies: [text(`I could not read that: ${parsed.error.issues.map((i) => i.message).join('; ')}`)] };
    }
    const event = parsed.data;
    if (!deps.isOperator(event.sender)) {
      if (deps.admission.refuse(event.sender) === 'quiet') return { status: 'refused', replies: [] };
      await kernel.audit({ actor: event.sender, event: 'unauthorized', detail: { transport: event.transport, kind: event.payload.kind } });
      return { status: 'refused', replies: [text('Sorry, this Keel answers only its operator.')] };
    }
    if (!(await deps.turns.admit(event))) return { status: 'duplicate', replies: [] };
    const tracer = deps.tracer ?? noTracer;
    const root = {
      'keel.inbound.id': `${event.transport}:${event.eventId}`,
      'keel.inbound.transport': event.transport,
      'keel.inbound.kind': event.payload.kind,
      'keel.inbound.text': tracer.includeContent && event.payload.kind === 'text' ? event.payload.text : undefined,
    };
    return tracer.span('keel.turn', root, async (span) => {
      const handled = await handleAdmitted(event, upload);
      span.set({ 'keel.turn.replies': handled.replies.length });
      return handled;
    });
  }

  async function handleAdmitted(admitted: Inbound, upload?: Upload): Promise<HandleResult> {
    let event = admitted;
    try {
      const replies = await (async () => {
        if (event.payload.kind === 'upload') {
          const kept = await stored(event as Inbound & { payload: { kind: 'upload' } }, upload);
          if (typeof kept === 'string') return [text(kept)];
          event = kept;
          const withFile = kept;
          return request(() => run(withFile));
        }
        if (event.payload.kind === 'decision') {
          // Recorded at once, whatever holds the thread: the first tap wins by one conditional update.
          const answered = await decide(event as Inbound & { payload: { kind: 'decision' } });
          if (answered) return answered;
          const verb = event.payload.decision === 'approve' ? 'Approved' : 'Rejected';
          return whenFree(() => run(event), `${verb}. Keel is still working on your previous request; this follows as soon as it finishes.`);
        }
        if (event.payload.kind === 'card_action') return cardAction(event as Inbound & { payload: { kind: 'card_action' } });
        // A forwarded "/undo 2026-0002" is someone else's words, not the operator's command.
        const command = event.payload.forwarded ? undefined : parseCommand(event.payload.text);
        const handler = command && deps.commands[command.name];
        const args = { args: command?.args ?? '', sender: event.sender, transport: event.transport, eventId: event.eventId };
        if (handler) return handler.movesThread ? request(() => handler.run(args)) : handler.run(args);
        // Other commands ("/status") are requests in a chat app's menu form: the model reads them without the slash.
        return request(() => run(command ? { ...event, payload: { kind: 'text', text: `${command.name} ${command.args}`.trim() } } : event));
      })();
      await appendTranscript(db, [
        { threadId: OPERATOR_THREAD, direction: 'in', transport: event.transport, body: event.payload, at: clock.now() },
        ...replies.map((r) => ({ threadId: OPERATOR_THREAD, direction: 'out' as const, transport: event.transport, body: r, at: clock.now() })),
      ]);
      await redraw(replies);
      await deps.turns.finish(event);
      schedulePrune();
      return { status: 'handled', replies };
    } catch (error) {
      // Forget the event so the platform's retry (or the operator's resend) is handled, not dropped.
      await db.delete(inbox).where(and(eq(inbox.transport, event.transport), eq(inbox.eventId, event.eventId)));
      logger.error('handling an event failed', { transport: event.transport, eventId: event.eventId, error });
      throw error;
    }
  }

  /**
   * At recovery: events a dead process (one whose lease ran out) had recorded
   * but not finished are forgotten, so the platform's re-delivery (same event
   * id) is handled instead of dropped as a duplicate. Their turn re-runs under
   * the same idempotency keys, so nothing is done twice. A live process's events are left alone.
   */
  const forgetUnfinished = (): Promise<number> => deps.turns.forgetDead();

  /**
   * At recovery: a decision recorded just before a crash may not have
   * resumed the thread yet, or a crash may have cut a run after its input checkpoint.
   * Resume or continue it now — only when no other live process is mid-turn,
   * which would be running it; the kernel's keys keep it to one effect.
   */
  async function resumeDecided(): Promise<Outbound[]> {
    return (await deps.turns.ifNoLiveOwner(resumeDecidedHeld)) ?? [];
  }

  async function resumeDecidedHeld(): Promise<Outbound[]> {
    return serialized(async () => {
      const snapshot = await graph.getState(config);
      const waitingOn = (snapshot.values.open ?? []) as string[];
      // A run cut by a crash continues from its last checkpoint (LangGraph resumes a run given no new input): for a
      // request, its input, so the turn re-runs from its start. It is a replay of that request: what it proposed
      // is recognised by its key, anything new waits for approval.
      if (snapshot.tasks.length && !snapshot.tasks.some((t) => t.interrupts.length)) {
        return (await graph.invoke(null, { ...config, durability: 'exit', configurable: { ...config.configurable, replay: true } })).replies;
      }
      if (!snapshot.tasks.some((t) => t.interrupts.length)) return [];
      for (const id of waitingOn) {
        const action = await kernel.get(id);
        if (action && action.state !== 'awaiting_approval') {
          return run({
            transport: 'system',
            sender: 'system',
            chat: 'system',
            eventId: `recover:${id}:${clock.now().getTime()}`,
            payload: { kind: 'decision', ref: action.cardRef ?? id, decision: action.state === 'rejected' ? 'reject' : 'approve' },
          });
        }
      }
      return [];
    });
  }

  /** The conversation so far, with every card showing its current state rather than the state it was sent in. */
  async function history(limit = 100): Promise<{ direction: 'in' | 'out'; message: Outbound }[]> {
    const rows = await recentTranscript(db, OPERATOR_THREAD, limit);
    const entries: { direction: 'in' | 'out'; message: Outbound }[] = [];
    for (const row of rows) {
      const body = row.body as Inbound['payload'] | Outbound;
      if (body.kind === 'decision' || body.kind === 'card_action') continue;
      if (body.kind === 'upload') {
        entries.push({ direction: 'in', message: text(`📎 ${body.file.name}${body.caption ? ` — ${body.caption}` : ''}`) });
        continue;
      }
      if (body.kind === 'card') {
        const action = await kernel.byRef(body.card.ref);
        const card = action ? await cardFor(db, action, kernel.operation(action.operation), deps.timeZone) : body.card;
        entries.push({ direction: 'out', message: { kind: 'card', card } });
        continue;
      }
      entries.push({ direction: row.direction, message: body });
    }
    return entries;
  }

  const cardMessages = createCardMessages(db, clock);
  /** A redraw that fails (an app is down) must not fail the event, which already took effect; it is logged. */
  async function redraw(replies: Outbound[]): Promise<void> {
    const closed = closedCards(replies);
    if (!closed.length || !deps.onCardsClosed) return;
    await deps.onCardsClosed(closed).catch((error: unknown) => logger.warn('could not redraw closed cards in every app', { error }));
  }

  /** Read-only: the store says why a file cannot be read (a non-retryable connector error), and that is the answer; anything else is a fault. */
  async function file(id: string): Promise<FileContent> {
    if (!deps.readFile) return { ok: false, reason: 'This Keel has no files store to read it from.' };
    try {
      const { file, bytes } = await deps.readFile(id);
      return { ok: true, name: file.name, contentType: file.contentType, bytes };
    } catch (error) {
      if (error instanceof ConnectorError && !error.retryable) return { ok: false, reason: error.message };
      throw error;
    }
  }

  /** Resolves once the events and background work (history pruning) queued so far are done. */
  const idle = (): Promise<void> => serialized(async () => undefined);

  return {
    handle,
    forgetUnfinished,
    resumeDecided,
    idle,
    history,
    thread: OPERATOR_THREAD,
    cardSent: cardMessages.sent,
    cardLocations: cardMessages.where,
    redraw,
    file,
  };
}

/** The one entrance for every transport, and what the app asks of the conversation at start and when cards change. */
export interface Conversation {
  /**
   * Validates an event, checks the operator, records it in the inbox (a re-delivery stops there), then runs a command, records a decision
   * or runs the thread. An upload (a document or photo) comes with the transport's way to fetch its bytes, used only once admitted.
   */
  handle(raw: unknown, upload?: Upload): Promise<HandleResult>;
  /** At start, before any event: forgets events a killed process recorded but did not finish, so their re-delivery is handled. */
  forgetUnfinished(): Promise<number>;
  /** At start: resumes a thread a crash left between a recorded decision and its run. */
  resumeDecided(): Promise<Outbound[]>;
  /** Resolves once the thread's queue is empty (a run, a deferred decision, history pruning). */
  idle(): Promise<void>;
  /** The conversation so far, each card in its current state. */
  history(limit?: number): Promise<{ direction: 'in' | 'out'; message: Outbound }[]>;
  thread: string;
  /** Remembers where a card was posted, so it can be redrawn in every app once decided. */
  cardSent: CardMessages['sent'];
  cardLocations: CardMessages['where'];
  /** Redraws, in every app, the cards these replies closed. */
  redraw(replies: Outbound[]): Promise<void>;
  /** Read-only: the bytes of a stored file a `file` reply names, for the transport to send its own way. */
  file(id: string): Promise<FileContent>;
}
