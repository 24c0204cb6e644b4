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
  outcomeLine,
  runTool,
  scopes,
  toolDefinitions,
  type AgentName,
} from '../agents/index.js';
import type { Kernel } from '../kernel/index.js';
import type { Clock } from '../core/clock.js';
import type { Db } from '../storage/index.js';
import type { Memory } from '../memory/index.js';
import type { Inbound, Outbound } from './messages.js';
import { ConversationState, type State } from './state.js';

export interface GraphDeps {
  db: Db;
  kernel: Kernel;
  model: BaseChatModel;
  clock: Clock;
  checkpointer: BaseCheckpointSaver;
  settings: { currency: string; timeZone: string; operatorName: string };
  /** Recall for the agents' tools, and compaction of the thread's messages. */
  memory: Memory;
}

/** What the thread shows while it waits at the approval gate. */
export interface WaitingOn {
  open: string[];
}

const HISTORY_FOR_MODEL = 12;
const MAX_AGENT_STEPS = 5;

const turnId = (inbound: Inbound | null) => (inbound ? `${inbound.transport}:${inbound.eventId}` : 'unknown');
const textOf = (message: BaseMessage) => (typeof message.content === 'string' ? message.content : message.text);
const say = (text: string) => ({ replies: [{ kind: 'text', text } satisfies Outbound], messages: [new AIMessage(text)] });
const threadOf = (config: LangGraphRunnableConfig) => String(config.configurable?.thread_id ?? '');

/**
 * The conversation, top to bottom: intake → coordinator → a role agent (with
 * its tools) → settle (run what the operator approved) → compact (only when
 * the messages grew past the bound) → wait at the approval gate while any card is open. Every side effect happens in `tools` or
 * `settle` through the kernel, never before the gate's interrupt in one node.
 */
export function buildConversationGraph(deps: GraphDeps) {
  const { kernel, db, clock, settings } = deps;
  const today = () => clock.now().toLocaleDateString('en-CA', { timeZone: settings.timeZone, weekday: 'long', year: 'numeric', month: '2-digit', day: '2-digit' });
  const bind = (tools: Parameters<typeof toolDefinitions>[0]) => {
    if (!deps.model.bindTools) throw new Error('The configured chat model cannot call tools; choose a model with tool calling.');
    return deps.model.bindTools(toolDefinitions(tools));
  };
  const coordinatorModel = bind(coordinatorTools);
  const agentModels = Object.fromEntries(
    agentNames.map((name) => [name, bind(Object.fromEntries(scopes[name].tools.map((t) => [t, agentTools[t]])))]),
  ) as Record<AgentName, ReturnType<typeof bind>>;

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
        update: { editing: action.id, open, ...say(`What should change (${what}, action ${action.id})? Say it in plain words, e.g. "make it 12 hours" or "send it to billing@acme.test instead".`) },
        goto: 'settle',
      });
    }
    const message = new HumanMessage({ content: event.payload.text, id: turnId(event) });
    const edited = state.editing ? await kernel.get(state.editing) : undefined;
    const owner = agentName.safeParse(edited?.agent);
    if (edited?.state === 'awaiting_approval' && owner.success) {
      // The card's own agent re-plans it; the coordinator is skipped because the request is about that card.
      return new Command({
        update: { messages: [message], route: { agent: owner.data, request: `edit ${edited.id}: ${event.payload.text}` }, scratch: null, editing: null },
        goto: owner.data,
      });
    }
    return new Command({ update: { messages: [message], route: null, scratch: null, editing: null }, goto: 'coordinator' });
  };

  const coordinator = async (state: State) => {
    const ai = await coordinatorModel.invoke([new SystemMessage(coordinatorPrompt(today(), settings.timeZone)), ...state.messages.slice(-HISTORY_FOR_MODEL)]);
    const call = ai.tool_calls?.[0];
    if (call?.name === 'route') {
      const route = coordinatorTools.route.safeParse(call.args);
      if (route.success) return new Command({ update: { route: route.data }, goto: route.data.agent });
    }
    if (call?.name === 'clarify') {
      const clarify = coordinatorTools.clarify.safeParse(call.args);
      if (clarify.success) return new Command({ update: say(clarify.data.question), goto: 'settle' });
    }
    if (call?.name === 'explain_capabilities') {
      const args = coordinatorTools.explain_capabilities.safeParse(call.args);
      return new Command({ update: say(capabilitiesText(args.success ? args.data.unknown : undefined)), goto: 'settle' });
    }
    const text = textOf(ai).trim();
    return new Command({ update: say(text || capabilitiesText()), goto: 'settle' });
  };

  const agentNode = (name: AgentName) => async (state: State) => {
    // A paused agent does not even think: nothing it says could be acted on, and the operator should know why.
    if (await kernel.pauses.isPaused(name)) {
      return new Command({ update: say(`${name.charAt(0).toUpperCase()}${name.slice(1)} is paused; resume it in the workspace (/workspace) and ask again.`), goto: 'settle' });
    }
    const request = state.route?.request ?? '';
    const steps = state.scratch.filter((m) => m instanceof AIMessage).length;
    const ai = await agentModels[name].invoke([
      new SystemMessage(agentPrompt(name, today(), settings.timeZone, settings.currency)),
      new HumanMessage(request),
      ...state.scratch,
    ]);
    if (ai.tool_calls?.length && steps < MAX_AGENT_STEPS) return new Command({ update: { scratch: [ai] }, goto: 'tools' });
    const text = textOf(ai).trim() || 'Done.';
    return new Command({ update: { scratch: [ai], ...say(text) }, goto: 'settle' });
  };

  // Re-running this node after a crash proposes the same keys (thread, turn, tool call id), so nothing doubles.
  const tools = async (state: State, config: LangGraphRunnableConfig) => {
    const agent = state.route!.agent;
    const last = state.scratch.at(-1) as AIMessage;
    const results: BaseMessage[] = [];
    const replies: Outbound[] = [];
    const opened: string[] = [];
    for (const call of last.tool_calls ?? []) {
      const outcome = await runTool(call.name, call.args, {
        db,
        kernel,
        clock,
        settings,
        memory: deps.memory,
        agent,
        threadId: threadOf(config),
        turnId: turnId(state.inbound),
        toolCallId: call.id ?? call.name,
        operator: state.inbound?.sender ?? 'operator',
      });
      results.push(new ToolMessage({ content: outcome.content, tool_call_id: call.id ?? call.name }));
      for (const id of outcome.opened) {
        const action = await kernel.get(id);
        if (!action || state.open.includes(id) || opened.includes(id)) continue;
        opened.push(id);
        replies.push({ kind: 'card', card: await cardFor(db, action, kernel.operation(action.operation), settings.timeZone) });
      }
    }
    return { scratch: results, replies, open: [...state.open, ...opened] };
  };

  // Runs what was approved (the kernel's key makes a repeat harmless) and reports what was decided.
  const settle = async (state: State) => {
    await kernel.expireDue();
    const open: string[] = [];
    const replies: Outbound[] = [];
    const lines: string[] = [];
    for (const id of state.open) {
      const found = await kernel.get(id);
      if (!found) continue;
      if (found.state === 'awaiting_approval') {
        open.push(id);
        continue;
      }
      const action = found.state === 'approved' ? await kernel.execute(id) : found;
      const op = kernel.operation(action.operation);
      replies.push({ kind: 'card', card: await cardFor(db, action, op, settings.timeZone) });
      lines.push(outcomeLine(action, op));
    }
    const report = lines.length ? say(lines.join('\n')) : { replies: [], messages: [] };
    return { open, replies: [...replies, ...report.replies], messages: report.messages };
  };

  // Keeps the checkpointed messages bounded: older turns become a durable summary memory, the transcript keeps them verbatim.
  const compact = async (state: State, config: LangGraphRunnableConfig) => ({ messages: await deps.memory.compact(threadOf(config), state.messages) });
  const afterTurn = (state: State) => (state.open.length ? 'wait' : END);

  // The approval gate: the thread rests here while cards are open; any next event resumes it.
  const wait = (state: State) => {
    const event = interrupt<WaitingOn, Inbound>({ open: state.open });
    return new Command({ update: { inbound: event, replies: null, scratch: null }, goto: 'intake' });
  };

  const graph = new StateGraph(ConversationState)
    .addNode('intake', intake, { ends: ['coordinator', 'settle', ...agentNames] })
    .addNode('coordinator', coordinator, { ends: [...agentNames, 'settle'] })
    .addNode('sales', agentNode('sales'), { ends: ['tools', 'settle'] })
    .addNode('finance', agentNode('finance'), { ends: ['tools', 'settle'] })
    .addNode('operations', agentNode('operations'), { ends: ['tools', 'settle'] })
    .addNode('marketing', agentNode('marketing'), { ends: ['tools', 'settle'] })
    .addNode('tools', tools)
    .addNode('settle', settle)
    .addNode('compact', compact)
    .addNode('wait', wait, { ends: ['intake'] })
    .addEdge(START, 'intake')
    .addConditionalEdges('tools', (state: State) => state.route!.agent, [...agentNames])
    .addConditionalEdges('settle', (state: State) => (deps.memory.needsCompaction(state.messages) ? 'compact' : afterTurn(state)), ['compact', 'wait', END])
    .addConditionalEdges('compact', afterTurn, ['wait', END]);

  return graph.compile({ checkpointer: deps.checkpointer });
}

export type ConversationGraph = ReturnType<typeof buildConversationGraph>;
