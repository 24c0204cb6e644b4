import type { StateSnapshot } from '@langchain/langgraph';
import type { Action, Kernel } from '../kernel/index.js';
import type { ConversationGraph } from './build.js';
import type { Inbound, Outbound } from '../chat/index.js';

/** One checkpoint of a thread, as /history shows it and /rewind accepts it. */
export interface TimelineStep {
  checkpointId: string;
  step: number;
  /** Nodes that run next from here: a rewind to this step replays them. Empty at the end of a turn. */
  next: string[];
  /** The request being answered at this step ("web:<event id>"), which every action it proposed records as its turn. */
  turn: string | null;
  said: string | null;
  /** Ledger actions proposed in this step's turn. */
  actions: Action[];
}

// The request's anchor build.ts records on every action it proposes (a resend keeps its first message's).
// Just before intake, a new message is in `inbound` while `turn` still names the previous request: that step starts the message's own turn.
const turnOf = (snapshot: StateSnapshot) => {
  const turn = snapshot.values.turn as { id: string } | null | undefined;
  const inbound = snapshot.values.inbound as Inbound | null | undefined;
  const starting = inbound?.payload.kind === 'text' && snapshot.next.includes('intake');
  return (starting ? undefined : turn?.id) ?? (inbound ? `${inbound.transport}:${inbound.eventId}` : null);
};
const checkpointIdOf = (snapshot: StateSnapshot) => String(snapshot.config.configurable?.checkpoint_id ?? '');

export interface Timeline {
  /** The thread's newest `limit` checkpoints, each with the ledger actions its turn proposed. */
  steps(limit: number): Promise<TimelineStep[]>;
  /** The checkpoints whose id ends with `suffix`, searched over the whole stored history. */
  find(suffix: string): Promise<StateSnapshot[]>;
  /**
   * Makes `target` the thread's head, replaying it when it is mid-turn. The cards later turns proposed and left
   * open are withdrawn (by `by`, the operator who rewound); what later turns already did is returned as `kept`.
   */
  rewind(target: StateSnapshot, by: string): Promise<RewindOutcome>;
}

export interface RewindOutcome {
  /** Cards proposed after the checkpoint, withdrawn: tapping one now answers that the rewind withdrew it. */
  withdrawn: Action[];
  /** Effects after the checkpoint that a rewind does not take back (each can be undone on its own with /undo). */
  kept: Action[];
  /** What the replay of a mid-turn checkpoint said. */
  replies: Outbound[];
}

/**
 * A thread's history: LangGraph's checkpoints joined with the kernel's ledger
 * (each action records the request it answered), and time travel back to any
 * checkpoint. Replaying from a checkpoint runs its nodes again; a call's key
 * is the request, the operation and its input, so whatever ids the model picks
 * the second time, the ledger answers with the recorded outcome instead of acting twice.
 */
export function createTimeline(deps: { graph: ConversationGraph; kernel: Kernel; threadId: string }): Timeline {
  const { graph, kernel, threadId } = deps;
  const config = { configurable: { thread_id: threadId } };

  async function steps(limit: number): Promise<TimelineStep[]> {
    const snapshots: StateSnapshot[] = [];
    for await (const snapshot of graph.getStateHistory(config, { limit })) snapshots.push(snapshot);
    const actions = await kernel.list({ threadId });
    return snapshots.map((snapshot) => {
      const inbound = snapshot.values.inbound as Inbound | null | undefined;
      const turn = turnOf(snapshot);
      return {
        checkpointId: checkpointIdOf(snapshot),
        step: Number(snapshot.metadata?.step ?? -1),
        next: [...snapshot.next],
        turn,
        said: inbound?.payload.kind === 'text' ? inbound.payload.text : null,
        actions: turn ? actions.filter((a) => a.turn === turn) : [],
      };
    });
  }

  /**
   * The checkpoints whose id ends with `suffix` (ids are long; /history shows their tails).
   * The whole stored history is searched: pruning keeps it to CHECKPOINT_HISTORY_TURNS turns.
   */
  async function find(suffix: string): Promise<StateSnapshot[]> {
    const found: StateSnapshot[] = [];
    for await (const snapshot of graph.getStateHistory(config)) {
      if (suffix && checkpointIdOf(snapshot).endsWith(suffix)) found.push(snapshot);
    }
    return found;
  }

  /**
   * Makes `target` the thread's head. A checkpoint in the middle of a turn is
   * replayed from there (its remaining nodes run again); one at the end of a
   * turn becomes the state the next message continues from.
   */
  async function rewind(target: StateSnapshot, by: string): Promise<RewindOutcome> {
    const later = await laterTurns(target);
    const actions = later.size ? (await kernel.list({ threadId })).filter((a) => a.turn !== null && later.has(a.turn)) : [];
    const checkpoint = checkpointIdOf(target);
    const withdrawn: Action[] = [];
    for (const action of actions.filter((a) => a.state === 'awaiting_approval')) {
      const done = await kernel.withdraw({
        actionId: action.id,
        by,
        checkpoint,
        reason: `The operator rewound the conversation to ${checkpoint.slice(-12)}, before this card was proposed.`,
      });
      if (done) withdrawn.push(done);
    }
    const kept = actions.filter((a) => ['succeeded', 'running', 'approved', 'needs_attention'].includes(a.state));
    // A replay: what the request proposed before is recognised, and anything it now proposes anew waits for approval.
    // Checkpointed once at its end, like a turn: the target it started from stays, so a crash during it loses only the rewind.
    if (target.next.length) {
      const replies = (await graph.invoke(null, { ...target.config, durability: 'exit', configurable: { ...target.config.configurable, replay: true } }))
        .replies;
      return { withdrawn, kept, replies };
    }
    await graph.updateState(target.config, { replies: null });
    return { withdrawn, kept, replies: [] };
  }

  /** The requests answered after `target` (newer checkpoints of other turns): what a rewind to it goes back before. */
  async function laterTurns(target: StateSnapshot): Promise<Set<string>> {
    const own = turnOf(target);
    const id = checkpointIdOf(target);
    const turns = new Set<string>();
    for await (const snapshot of graph.getStateHistory(config)) {
      if (checkpointIdOf(snapshot) === id) break;
      const turn = turnOf(snapshot);
      if (turn && turn !== own) turns.add(turn);
    }
    return turns;
  }

  return { steps, find, rewind };
}
