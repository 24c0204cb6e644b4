import { Annotation, messagesStateReducer } from '@langchain/langgraph';
import type { BaseMessage } from '@langchain/core/messages';
import { z } from 'zod';
import type { AgentName } from '../agents/index.js';
import { forwardedFrom, type Inbound, type Outbound } from '../chat/index.js';

/** Appends, or starts over when handed `null` (a new event starts a new list). */
const resettable = <T>() =>
  Annotation<T[], T[] | null>({
    reducer: (prev, next) => (next === null ? [] : [...prev, ...next]),
    default: () => [],
  });

type Route = { agent: AgentName; request: string };

/** The operator's request being answered, and how it went: the anchor of every idempotency key it proposes. */
export const turnSchema = z.object({
  /** "web:<event id>" of the message that asked, or of the earlier message a resend repeats. */
  id: z.string(),
  text: z.string(),
  /** It ran before (rewind, re-delivery, a resend after a failure): what it proposed then is recognised, anything new waits for approval. */
  replay: z.boolean(),
  /** The message is pasted or forwarded text (a client's email), attributed as quoted, never as the operator's words. */
  quoted: z.boolean(),
  /** It ended without an answer from the model: sending the same words again continues it under the same anchor. */
  failed: z.boolean(),
});
export type Turn = z.infer<typeof turnSchema>;

/** A document the operator sent without a client Keel could tell: kept, and filed by the answer to "which client?". */
export const unfiledSchema = z.object({
  fileId: z.string(),
  name: z.string(),
  contentType: z.string(),
  caption: z.string(),
  /** The upload's turn: the filing's key, so answering twice (or a re-delivered answer) files it once. */
  turn: z.string(),
  sender: z.string(),
});
export type Unfiled = z.infer<typeof unfiledSchema>;

/** A forwarded message whose author Keel could not match to one client: the answer to "which is it?" links them. */
export const unattributedSchema = z.object({
  from: forwardedFrom,
  /** The forward's turn: the link's key, so a second answer or a re-delivered one links once. */
  turn: z.string(),
  sender: z.string(),
});
export type Unattributed = z.infer<typeof unattributedSchema>;

/**
 * The conversation's state, one thread per operator conversation. It is
 * checkpointed at a request's input and where the run ends or stops at a card
 * (conversation.ts `run`), so a restart re-runs a cut turn from its start.
 */
export const ConversationState = Annotation.Root({
  /** The event being handled: a message or a decision on a card. */
  inbound: Annotation<Inbound | null>({ reducer: (_prev, next) => next, default: () => null }),
  /** The conversation as the operator sees it: their messages and Keel's answers. */
  messages: Annotation<BaseMessage[]>({ reducer: messagesStateReducer, default: () => [] }),
  route: Annotation<Route | null>({ reducer: (_prev, next) => next, default: () => null }),
  /** Further agents the coordinator routed parts of the same message to, handled one after another. */
  queued: Annotation<Route[]>({ reducer: (_prev, next) => next, default: () => [] }),
  /** The working agent's model calls and tool results for this turn only. */
  scratch: resettable<BaseMessage>(),
  /** Actions waiting on the operator; the thread waits while any is open. */
  open: Annotation<string[]>({ reducer: (_prev, next) => next, default: () => [] }),
  /** The open card the operator tapped Edit on: their next message is the change, re-planned by that card's agent. */
  editing: Annotation<string | null>({ reducer: (_prev, next) => next, default: () => null }),
  /** The document waiting for the operator to say which client it is for; any other answer lets it go (it stays in the files store). */
  unfiled: Annotation<Unfiled | null>({ reducer: (_prev, next) => next, default: () => null }),
  /** The forwarded message's author waiting for the operator to say which client they belong to; any other answer lets it go. */
  unattributed: Annotation<Unattributed | null>({ reducer: (_prev, next) => next, default: () => null }),
  turn: Annotation<Turn | null>({ reducer: (_prev, next) => next, default: () => null }),
  /** What could not be done this turn and why (unreadable or out-of-scope tool calls, the step cap), said to the operator at its end. */
  notes: resettable<string>(),
  /** What to send back for the current event. */
  replies: resettable<Outbound>(),
});

export type State = typeof ConversationState.State;
export type Update = typeof ConversationState.Update;
