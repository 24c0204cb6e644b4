import { Command, END, START, StateGraph, interrupt, type BaseCheckpointSaver, type LangGraphRunnableConfig } from '@langchain/langgraph';
import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import {
  agentName,
  agentNames,
  agentPrompt,
  agentTools,
  capabilitiesText,
  cardFor,
  coordinatorPrompt,
  coordinatorTools,
  outcomeFiles,
  outcomeLine,
  runTool,
  scopes,
  toolDefinitions,
  modelBudget,
  defaultModelLimits,
  ModelUnavailable,
  type AgentName,
  type ModelCall,
  type ModelLimits,
  type ToolOutcome,
  type ToolContext,
} from '../agents/index.js';
import type { Action, Kernel } from '../kernel/index.js';
import { claimsEffect, withoutEffectClaims } from '../core/claims.js';
import type { Clock } from '../core/clock.js';
import { noTracer, type Tracer } from '../core/tracing.js';
import type { Db } from '../storage/index.js';
import type { Memory } from '../memory/index.js';
import type { Inbound, Outbound } from '../chat/index.js';
import { ConversationState, type State, type Turn } from './state.js';
import { fencedAsData, looksPasted } from './pasted.js';
import { attributeAnswered, forwardedMessage } from './forwarded.js';
import { fileAnswered, fileUpload } from './uploads.js';

export interface GraphDeps {
  db: Db;
  kernel: Kernel;
  model: BaseChatModel;
  clock: Clock;
  checkpointer: BaseCheckpointSaver;
  settings: ToolContext['settings'];
  /** Recall for the agents' tools, and compaction of the thread's messages. */
  memory: Memory;
  /** Timeouts, retries and the per-request budget of model calls. */
  modelLimits?: ModelLimits;
  /** A span per node run and per model call, under the turn's span (OTEL_EXPORTER_OTLP_ENDPOINT). */
  tracer?: Tracer;
  /**
   * Carries out actions that are steps of a sequence (a playbook run, jobs/playbooks.ts) in their order: settling
   * records their decision and hands them over, and never runs one out of turn.
   */
  sequencer?: { owns(action: Action): Promise<boolean>; advance(actions: Action[]): Promise<string[]> };
}

/** What the thread shows while it waits at the approval gate. */
export interface WaitingOn {
  open: string[];
}

const HISTORY_FOR_MODEL = 12;
/** The coordinator's history is bounded by size too: one pasted email must not crowd out the rest. */
const HISTORY_CHARS = 8_000;
const MAX_AGENT_STEPS = 5;

const turnId = (inbound: Inbound | null) => (inbound ? `${inbound.transport}:${inbound.eventId}` : 'unknown');
const textOf = (message: BaseMessage) => (typeof message.content === 'string' ? message.content : message.text);
const say = (text: string) => ({ replies: [{ kind: 'text', text } satisfies Outbound], messages: [new AIMessage(text)] });
const threadOf = (config: LangGraphRunnableConfig) => String(config.configurable?.thread_id ?? '');
/** Replays started from outside a turn's intake (a rewind into the middle of a turn, recovery of a cut run) say so in the config. */
const replayOf = (state: State, config: LangGraphRunnableConfig) => Boolean(state.turn?.replay || config.configurable?.replay);
const sameWords = (a: string, b: string) => a.trim().replace(/\s+/g, ' ').toLowerCase() === b.trim().replace(/\s+/g, ' ').toLowerCase();
const unique = (lines: string[]) => [...new Set(lines.filter(Boolean))];

/** The newest messages that fit the size bound, never starting in the middle of a tool exchange. */
function recentHistory(messages: BaseMessage[]): BaseMessage[] {
  const recent = messages.slice(-HISTORY_FOR_MODEL);
  let chars = recent.reduce((sum, m) => sum + textOf(m).length, 0);
  while (recent.length > 1 && chars > HISTORY_CHARS) chars -= textOf(recent.shift()!).length;
  return recent;
}

/**
 * The conversation, top to bottom: intake → coordinator → a role agent (with
 * its tools) → settle (run what the operator approved) → compact (only when
 * the messages grew past the bound) → wait at the approval gate while any card is open. Every side effect happens in `tools` or
 * `settle` through the kernel, never before the gate's interrupt in one node.
 * What the operator is told about effects comes from the ledger: a step that
 * proposed or ran anything ends the turn with the kernel's outcome lines, and
 * model prose claiming an effect the ledger does not hold is not passed on.
 */
export function buildConversationGraph(deps: GraphDeps) {
  const { kernel, db, clock, settings } = deps;
  const limits = deps.modelLimits ?? defaultModelLimits;
  const tracer = deps.tracer ?? noTracer;
  /** A node in a span named after it. */
  const traced =
    <A extends unknown[], R>(name: string, node: (...args: A) => R) =>
    (...args: A) =>
      tracer.span(`graph ${name}`, { 'keel.graph.node': name }, async () => node(...args));
  // One formatter for the graph's life: toLocaleDateString with options builds a new one on every call, a model call's largest cost offline.
  const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: settings.timeZone, weekday: 'long', year: 'numeric', month: '2-digit', day: '2-digit' });
  const today = () => dayFormat.format(clock.now());
  const bind = (tools: Parameters<typeof toolDefinitions>[0]) => {
    if (!deps.model.bindTools) throw new Error('The configured chat model cannot call tools; choose a model with tool calling.');
    return deps.model.bindTools(toolDefinitions(tools));
  };
  const coordinatorModel = bind(coordinatorTools);
  // Each agent twice: revise_action is offered only while a card is being edited, so a model cannot rewrite cards unasked.
  const agentModel = (name: AgentName, editing: boolean) =>
    bind(Object.fromEntries(scopes[name].tools.filter((t) => editing || t !== 'revise_action').map((t) => [t, agentTools[t]])));
  const agentModels = Object.fromEntries(agentNames.map((name) => [name, { plain: agentModel(name, false), editing: agentModel(name, true) }])) as Record<
    AgentName,
    { plain: ReturnType<typeof bind>; editing: ReturnType<typeof bind> }
  >;
  // One budget per request, kept for the request's life in this process (a replay after a restart starts a fresh one); the oldest are let go.
  const budgets = new Map<string, ModelCall>();
  const budgetFor = (turn: Turn | null) => {
    const key = turn?.id ?? 'unknown';
    let budget = budgets.get(key);
    if (!budget) {
      budget = modelBudget(limits, tracer);
      budgets.set(key, budget);
      if (budgets.size > 256) budgets.delete(budgets.keys().next().value!);
    }
    return budget;
  };

  /** The ledger's lines for what this request proposed or did so far. */
  const effectsOf = async (turn: Turn | null): Promise<Action[]> => (turn ? kernel.list({ turns: [turn.id] }) : []);
  const effectLines = (actions: Action[]) => actions.map((a) => outcomeLine(a, kernel.operation(a.operation), settings.timeZone));

  /** The model failed this request: say why, and what did happen before it, from the ledger. */
  const modelFailed = async (state: State, error: ModelUnavailable) => {
    const done = await effectsOf(state.turn);
    const happened = done.length ? `\nWhat this request did before that:\n${effectLines(done).join('\n')}` : '\nNothing was done.';
    const again = ' Sending the same message again continues this request without repeating anything that already happened.';
    return new Command({
      update: { ...say(`${error.message}.${happened}${again}`), turn: state.turn && { ...state.turn, failed: true } },
      goto: 'settle',
    });
  };

  // A message starts a turn; a decision goes straight to settling, even for a card this thread lost track of.
  const intake = async (state: State) => {
    const event = state.inbound;
    if (!event) return new Command({ goto: 'settle' });
    if (event.payload.kind === 'decision') {
      const action = await kernel.byRef(event.payload.ref);
      const open = action && !state.open.includes(action.id) ? [...state.open, action.id] : state.open;
      // Deciding the card being edited ends the edit: the next message is a request again.
      return new Command({ update: { open, ...(action && action.id === state.editing ? { editing: null } : {}) }, goto: 'settle' });
    }
    if (event.payload.kind === 'card_action') {
      // Edit: remember the card; the operator's next message says what to change.
      const action = await kernel.byRef(event.payload.ref);
      if (!action || action.state !== 'awaiting_approval') {
        return new Command({ update: say('That card is no longer open, so it cannot be edited; /pending lists the open ones.'), goto: 'settle' });
      }
      const open = state.open.includes(action.id) ? state.open : [...state.open, action.id];
      const what = kernel.operation(action.operation).summary;
      return new Command({
        update: {
          editing: action.id,
          open,
          ...say(
            `What should change (${what}, action ${action.id})? Say it in plain words, e.g. "make it 12 hours" or "send it to billing@acme.test instead".`,
          ),
        },
        goto: 'settle',
      });
    }
    if (event.payload.kind === 'upload') {
      const id = turnId(event);
      const said = await fileUpload(db, kernel, event as Inbound & { payload: { kind: 'upload' } }, id, { ...settings, now: clock.now() });
      const turn: Turn = { id, text: event.payload.caption, quoted: false, failed: false, replay: false };
      const note = `Sent a file: ${event.payload.file.name}${event.payload.caption ? ` — ${event.payload.caption}` : ''}`;
      // A receipt's expense waits on a card, like any change to the books: the thread then rests at the approval gate.
      const opened = said.opened ? await kernel.get(said.opened) : undefined;
      const card: Outbound[] = opened ? [{ kind: 'card', card: await cardFor(db, opened, kernel.operation(opened.operation), settings.timeZone) }] : [];
      return new Command({
        update: {
          messages: [new HumanMessage({ content: note, id }), ...say(said.text).messages],
          replies: [...say(said.text).replies, ...card],
          open: opened && !state.open.includes(opened.id) ? [...state.open, opened.id] : state.open,
          unfiled: said.unfiled ?? null,
          unattributed: null,
          turn,
          route: null,
          queued: [],
          scratch: null,
          notes: null,
        },
        goto: 'settle',
      });
    }
    const words = event.payload.text;
    if (event.payload.forwarded) {
      // Someone else's words: kept in the thread, quoted and attributed, for the operator's next request to draw on; no model reads them as a request.
      const { content, reply, unclear } = await forwardedMessage(db, event.payload.forwarded, words);
      const turn: Turn = { id: turnId(event), text: words, quoted: true, failed: false, replay: false };
      return new Command({
        update: {
          messages: [new HumanMessage({ content, id: turnId(event) }), new AIMessage(reply)],
          replies: [{ kind: 'text', text: reply }],
          unattributed: unclear ? { from: event.payload.forwarded, turn: turn.id, sender: event.sender } : null,
          unfiled: null,
          turn,
          route: null,
          queued: [],
          scratch: null,
          notes: null,
        },
        goto: 'settle',
      });
    }
    // A short answer to a question Keel asked (which client?) is answered here and settles; the turn is still a turn of its own.
    const answeredHere = (text: string, pending: Pick<Partial<State>, 'unfiled' | 'unattributed'>) =>
      new Command({
        update: {
          messages: [new HumanMessage({ content: words, id: turnId(event) }), ...say(text).messages],
          replies: say(text).replies,
          ...pending,
          turn: { id: turnId(event), text: words, quoted: false, failed: false, replay: false } satisfies Turn,
          route: null,
          queued: [],
          scratch: null,
          notes: null,
        },
        goto: 'settle',
      });
    if (state.unfiled) {
      // Keel asked which client a kept document is for: a short answer naming one files it; anything else is a request of its own.
      const answered = await fileAnswered(db, kernel, state.unfiled, words, turnId(event));
      if (answered) return answeredHere(answered.text, { unfiled: answered.filed ? null : state.unfiled });
    }
    if (state.unattributed) {
      // Keel asked which client a forwarded message's author is with: a short answer naming one links them.
      const answered = await attributeAnswered(db, kernel, state.unattributed, words, turnId(event));
      if (answered) return answeredHere(answered.text, { unattributed: answered.linked ? null : state.unattributed });
    }
    // The same words after a request that got no answer continue that request: its effects are recognised, not repeated.
    const last = state.turn;
    const unanswered = last && (last.failed || HumanMessage.isInstance(state.messages.at(-1)));
    const resent = last && unanswered && sameWords(last.text, words) ? last : undefined;
    const id = resent?.id ?? turnId(event);
    const quoted = looksPasted(words);
    const turn: Turn = { id, text: words, quoted, failed: false, replay: Boolean(resent) || (await kernel.list({ turns: [id], limit: 1 })).length > 0 };
    const message = new HumanMessage({ content: quoted ? fencedAsData(words) : words, id: turnId(event) });
    const edited = state.editing ? await kernel.get(state.editing) : undefined;
    const owner = agentName.safeParse(edited?.agent);
    if (edited?.state === 'awaiting_approval' && owner.success) {
      // The card's own agent re-plans it; the coordinator is skipped because the request is about that card.
      return new Command({
        update: {
          messages: [message],
          turn,
          route: { agent: owner.data, request: `edit ${edited.id}: ${words}` },
          queued: [],
          scratch: null,
          notes: null,
          editing: null,
          unfiled: null,
          unattributed: null,
        },
        goto: owner.data,
      });
    }
    return new Command({
      update: { messages: [message], turn, route: null, queued: [], scratch: null, notes: null, editing: null, unfiled: null, unattributed: null },
      goto: 'coordinator',
    });
  };

  const coordinator = async (state: State) => {
    let ai;
    try {
      ai = await budgetFor(state.turn)(coordinatorModel, [new SystemMessage(coordinatorPrompt(today(), settings.timeZone)), ...recentHistory(state.messages)]);
    } catch (error) {
      if (error instanceof ModelUnavailable) return modelFailed(state, error);
      throw error;
    }
    const call = ai.tool_calls?.[0];
    if (call?.name === 'route') {
      // Parts of one message for different agents ("invoice Acme … and book a call with Dana …") are routed one after another.
      const routes = (ai.tool_calls ?? [])
        .flatMap((c) => (c.name === 'route' ? [coordinatorTools.route.safeParse(c.args)] : []))
        .flatMap((r) => (r.success ? [r.data] : []));
      const [first, ...rest] = routes;
      if (first) return new Command({ update: { route: first, queued: rest }, goto: first.agent });
    }
    if (call?.name === 'clarify') {
      const clarify = coordinatorTools.clarify.safeParse(call.args);
      if (clarify.success) return new Command({ update: say(clarify.data.question), goto: 'settle' });
    }
    if (call?.name === 'explain_capabilities') {
      const args = coordinatorTools.explain_capabilities.safeParse(call.args);
      return new Command({ update: say(capabilitiesText(args.success ? args.data.unknown : undefined)), goto: 'settle' });
    }
    if (call || ai.invalid_tool_calls?.length) {
      return new Command({
        update: say('The model answered with a request I could not read, so nothing was done. Please say it again, perhaps in other words.'),
        goto: 'settle',
      });
    }
    return new Command({ update: say(grounded(textOf(ai).trim(), []) || capabilitiesText()), goto: 'settle' });
  };

  /**
   * Model prose is passed on only when it does not claim an effect this turn's ledger lacks:
   * "Sure, I've sent the invoice!" with no action is replaced by what is true.
   */
  const grounded = (text: string, actions: Action[]) =>
    text && claimsEffect(text) && !actions.length
      ? 'Nothing was done: the model answered as if it had acted, but it asked for no action, so nothing was sent, issued, booked or changed. Say what you need again, perhaps in more detail.'
      : text;

  const agentNode = (name: AgentName) => async (state: State) => {
    // A paused agent does not even think: nothing it says could be acted on, and the operator should know why.
    if (await kernel.pauses.isPaused(name)) {
      return new Command({
        update: say(`${name.charAt(0).toUpperCase()}${name.slice(1)} is paused; resume it in the workspace (/workspace) and ask again.`),
        goto: 'handoff',
      });
    }
    const request = state.route?.request ?? '';
    const steps = state.scratch.filter((m) => m instanceof AIMessage).length;
    const editing = request.startsWith('edit ');
    let ai;
    try {
      ai = await budgetFor(state.turn)(agentModels[name][editing ? 'editing' : 'plain'], [
        new SystemMessage(agentPrompt(name, today(), settings.timeZone, settings.currency)),
        new HumanMessage(state.turn?.quoted ? fencedAsData(request) : request),
        ...state.scratch,
      ]);
    } catch (error) {
      if (error instanceof ModelUnavailable) return modelFailed(state, error);
      throw error;
    }
    const unreadable = (ai.invalid_tool_calls ?? []).map(
      (call: { name?: string }) => `The model asked for ${call.name ?? 'a tool'} with arguments that are not valid JSON; nothing was done for it.`,
    );
    if (ai.tool_calls?.length && steps < MAX_AGENT_STEPS) return new Command({ update: { scratch: [ai], notes: unreadable }, goto: 'tools' });
    const dropped = ai.tool_calls?.length
      ? [
          `The model kept asking for more steps; I stopped after ${MAX_AGENT_STEPS} and did not run: ${unique(ai.tool_calls.map((c: { name: string }) => c.name)).join(', ')}.`,
        ]
      : [];
    const notes = unique([...state.notes, ...unreadable, ...dropped]);
    const text = grounded(textOf(ai).trim(), await effectsOf(state.turn));
    const fallback = notes.length ? '' : 'The model gave no answer, and nothing was done. Please say it again, perhaps in other words.';
    // A model often restates the problem a tool reported (the offline one always does): the operator reads it once.
    const unsaid = notes.filter((note) => !text.includes(note));
    return new Command({
      update: { scratch: [ai], notes: [...unreadable, ...dropped], ...say([text || fallback, ...unsaid].filter(Boolean).join('\n')) },
      goto: 'handoff',
    });
  };

  /**
   * Runs the model's tool calls. Keys come from the request and each call's
   * operation and input, so a re-run after a crash, a replay with new call ids
   * or a repeated call proposes what is already in the ledger. A step that
   * touched the ledger ends the turn with the kernel's own outcome lines: the
   * model is not asked to restate them.
   */
  const tools = async (state: State, config: LangGraphRunnableConfig) => {
    const agent = state.route!.agent;
    const last = state.scratch.at(-1) as AIMessage;
    const results: BaseMessage[] = [];
    const replies: Outbound[] = [];
    const opened: string[] = [];
    const outcomes: ToolOutcome[] = [];
    for (const call of last.tool_calls ?? []) {
      const outcome = await runTool(call.name, call.args, {
        db,
        kernel,
        clock,
        settings,
        memory: deps.memory,
        agent,
        threadId: threadOf(config),
        turnId: state.turn?.id ?? turnId(state.inbound),
        replay: replayOf(state, config),
        quoted: state.turn?.quoted ?? false,
        operator: state.inbound?.sender ?? 'operator',
      });
      outcomes.push(outcome);
      results.push(new ToolMessage({ content: outcome.content, tool_call_id: call.id ?? call.name }));
      replies.push(...(outcome.replies ?? []));
      for (const id of outcome.opened) {
        const action = await kernel.get(id);
        if (!action || state.open.includes(id) || opened.includes(id)) continue;
        opened.push(id);
        replies.push({ kind: 'card', card: await cardFor(db, action, kernel.operation(action.operation), settings.timeZone) });
      }
    }
    const open = [...state.open, ...opened];
    // A later call that ran clears the problem an earlier try of the same tool had.
    const ran = new Set((last.tool_calls ?? []).filter((_, i) => !outcomes[i]!.problem).map((c) => c.name));
    const problems = (last.tool_calls ?? []).flatMap((c, i) => (outcomes[i]!.problem ? [outcomes[i]!.problem!] : []));
    const notes = [...state.notes.filter((note) => ![...ran].some((name) => note.includes(` ${name} `))), ...problems];
    if (!outcomes.some((o) => o.actions.length)) return new Command({ update: { scratch: results, replies, open, notes: problems }, goto: agent });
    // A call the model repeated names the same action: it is one card and one line.
    const reported = new Set<string>();
    const lines = outcomes.flatMap((o) => {
      if (o.problem || (o.actions.length && o.actions.every((id) => reported.has(id)))) return [];
      o.actions.forEach((id) => reported.add(id));
      return [o.content];
    });
    // What the model said beside its calls ("Not done: …") is passed on, except any sentence claiming an effect: those come from the ledger.
    const aside = withoutEffectClaims(textOf(last).trim());
    const report = unique([...lines, ...notes, aside]).join('\n');
    // What ran at once (a standing rule approved it) hands over its documents here, as settle does for approved cards.
    const ranNow = await Promise.all([...reported].map((id) => kernel.get(id)));
    const files = ranNow.flatMap((action) => (action ? outcomeFiles(action) : []));
    return new Command({
      update: { scratch: results, replies: [...replies, ...say(report).replies, ...files], messages: say(report).messages, open, notes: problems },
      goto: 'handoff',
    });
  };

  // The next agent the message was routed to, if any, starts with a clean scratch; otherwise the turn settles.
  const handoff = (state: State) => {
    const [next, ...rest] = state.queued;
    if (!next) return new Command({ goto: 'settle' });
    return new Command({ update: { route: next, queued: rest, scratch: null, notes: null }, goto: next.agent });
  };

  // Runs what was approved (the kernel's key makes a repeat harmless) and reports what was decided.
  const settle = async (state: State) => {
    await kernel.expireDue();
    const open: string[] = [];
    const replies: Outbound[] = [];
    const lines: string[] = [];
    const files: Outbound[] = [];
    const sequenced: Action[] = [];
    for (const id of state.open) {
      const found = await kernel.get(id);
      if (!found) continue;
      if (found.state === 'awaiting_approval') {
        open.push(id);
        continue;
      }
      if (await deps.sequencer?.owns(found)) {
        sequenced.push(found);
        continue;
      }
      const action = found.state === 'approved' ? await kernel.execute(id) : found;
      const op = kernel.operation(action.operation);
      replies.push({ kind: 'card', card: await cardFor(db, action, op, settings.timeZone) });
      lines.push(outcomeLine(action, op, settings.timeZone));
      files.push(...outcomeFiles(action));
    }
    if (sequenced.length) {
      lines.push(...(await deps.sequencer!.advance(sequenced)));
      for (const id of sequenced.map((a) => a.id)) {
        const action = (await kernel.get(id))!;
        const op = kernel.operation(action.operation);
        replies.push({ kind: 'card', card: await cardFor(db, action, op, settings.timeZone) });
        if (action.state === 'approved') lines.push(`Approved — ${op.summary}; the playbook carries it out once the steps before it are done.`);
        if (action.state === 'rejected') lines.push(`${outcomeLine(action, op, settings.timeZone)} The playbook goes on without it.`);
      }
    }
    const report = lines.length ? say(lines.join('\n')) : { replies: [], messages: [] };
    return { open, replies: [...replies, ...report.replies, ...files], messages: report.messages };
  };

  // Keeps the checkpointed messages bounded: older turns become a durable summary memory, the transcript keeps them verbatim.
  const compact = async (state: State, config: LangGraphRunnableConfig) => ({
    messages: await deps.memory.compact(threadOf(config), state.messages, async (turns: string[]) => effectLines(await kernel.list({ turns }))),
  });
  const afterTurn = (state: State) => (state.open.length ? 'wait' : END);

  // The approval gate: the thread rests here while cards are open; any next event resumes it.
  const wait = (state: State) => {
    const event = interrupt<WaitingOn, Inbound>({ open: state.open });
    return new Command({ update: { inbound: event, replies: null, scratch: null }, goto: 'intake' });
  };

  const graph = new StateGraph(ConversationState)
    .addNode('intake', traced('intake', intake), { ends: ['coordinator', 'settle', ...agentNames] })
    .addNode('coordinator', traced('coordinator', coordinator), { ends: [...agentNames, 'settle'] })
    .addNode('sales', traced('sales', agentNode('sales')), { ends: ['tools', 'handoff', 'settle'] })
    .addNode('finance', traced('finance', agentNode('finance')), { ends: ['tools', 'handoff', 'settle'] })
    .addNode('operations', traced('operations', agentNode('operations')), { ends: ['tools', 'handoff', 'settle'] })
    .addNode('marketing', traced('marketing', agentNode('marketing')), { ends: ['tools', 'handoff', 'settle'] })
    .addNode('tools', traced('tools', tools), { ends: [...agentNames, 'handoff'] })
    .addNode('handoff', traced('handoff', handoff), { ends: [...agentNames, 'settle'] })
    .addNode('settle', traced('settle', settle))
    .addNode('compact', traced('compact', compact))
    // Untraced: its interrupt() throws to pause the thread, which a span would report as a failure.
    .addNode('wait', wait, { ends: ['intake'] })
    .addEdge(START, 'intake')
    .addConditionalEdges('settle', (state: State) => (deps.memory.needsCompaction(state.messages) ? 'compact' : afterTurn(state)), ['compact', 'wait', END])
    .addConditionalEdges('compact', afterTurn, ['wait', END]);

  return graph.compile({ checkpointer: deps.checkpointer });
}

/** LangGraph's own compiled graph type for this state and these nodes: derived, since it is the library's class, not a service Keel defines. */
export type ConversationGraph = ReturnType<typeof buildConversationGraph>;
