import { Annotation, messagesStateReducer } from '@langchain/langgraph';
import type { BaseMessage } from '@langchain/core/messages';
import type { AgentName } from '../agents/index.js';
import type { Inbound, Outbound } from './messages.js';

/** Appends, or starts over when handed `null` (a new event starts a new list). */
const resettable = <T>() =>
  Annotation<T[], T[] | null>({
    reducer: (prev, next) => (next === null ? [] : [...prev, ...next]),
    default: () => [],
  });

/**
 * The conversation's state, one thread per operator conversation. It is
 * checkpointed after every node, so a restart resumes where it stopped.
 */
export const ConversationState = Annotation.Root({
  /** The event being handled: a message or a decision on a card. */
  inbound: Annotation<Inbound | null>({ reducer: (_prev, next) => next, default: () => null }),
  /** The conversation as the operator sees it: their messages and Keel's answers. */
  messages: Annotation<BaseMessage[]>({ reducer: messagesStateReducer, default: () => [] }),
  route: Annotation<{ agent: AgentName; request: string } | null>({ reducer: (_prev, next) => next, default: () => null }),
  /** The working agent's model calls and tool results for this turn only. */
  scratch: resettable<BaseMessage>(),
  /** Actions waiting on the operator; the thread waits while any is open. */
  open: Annotation<string[]>({ reducer: (_prev, next) => next, default: () => [] }),
  /** The open card the operator tapped Edit on: their next message is the change, re-planned by that card's agent. */
  editing: Annotation<string | null>({ reducer: (_prev, next) => next, default: () => null }),
  /** What to send back for the current event. */
  replies: resettable<Outbound>(),
});

export type State = typeof ConversationState.State;
export type Update = typeof ConversationState.Update;
