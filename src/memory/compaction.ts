import { AIMessage, HumanMessage, RemoveMessage, type BaseMessage } from '@langchain/core/messages';
import { REMOVE_ALL_MESSAGES } from '@langchain/langgraph';
import type { Clock } from '../core/clock.js';
import { sha256Hex } from '../core/ids.js';
import { claimsEffect } from '../core/claims.js';
import type { Db } from '../storage/index.js';
import { extractiveSummarizer, newestWithin, type Summarizer } from './summarize.js';
import { clients } from '../records/index.js';
import { memorySummaries } from './tables.js';

export interface CompactionSettings {
  /** Compact once the thread holds more messages than this. */
  after: number;
  /** Messages kept verbatim after compacting (rounded back to the start of a turn). */
  keep: number;
  /** Longest rolling summary kept in state; older lines live on in the durable summaries. */
  maxSummaryChars: number;
}

const SUMMARY_ID = 'summary:';
const SUMMARY_HEADER = 'Summary of the earlier conversation (verbatim in the transcript; older summaries are in recall):';
const isSummary = (m: BaseMessage) => typeof m.id === 'string' && m.id.startsWith(SUMMARY_ID);
const textOf = (m: BaseMessage) => (typeof m.content === 'string' ? m.content : m.text);

export interface Compactor {
  /** Whether the thread holds more messages than the settings allow before compacting. */
  needed(messages: BaseMessage[]): boolean;
  /**
   * The `messages` update that replaces the thread's messages with summary + recent turns; [] when nothing is old enough.
   * The summary states effects only from `effectsOf` (the ledger's lines for the compacted requests).
   */
  compact(threadId: string, messages: BaseMessage[], effectsOf?: (turns: string[]) => Promise<string[]>): Promise<BaseMessage[]>;
}

/**
 * Keeps a thread's checkpointed messages bounded. Older messages become a
 * durable summary (memory_summaries, indexed for recall like any memory) and
 * leave the state; what stays is one rolling summary message plus the recent
 * turns. Nothing is lost: the transcript table holds every message verbatim.
 */
export function createCompactor(deps: { db: Db; clock: Clock; settings: CompactionSettings; summarize?: Summarizer | undefined }): Compactor {
  const { db, clock, settings } = deps;
  const summarize = deps.summarize ?? extractiveSummarizer;

  const needed = (messages: BaseMessage[]) => messages.length > settings.after;

  /**
   * The `messages` update that replaces the thread's messages with summary + recent turns; [] when nothing is old enough.
   * `effectsOf` gives the ledger's lines for the compacted requests: the summary states effects only from those,
   * and drops any sentence of its own that claims one, so memory never files an effect the ledger does not hold.
   */
  async function compact(threadId: string, messages: BaseMessage[], effectsOf?: (turns: string[]) => Promise<string[]>): Promise<BaseMessage[]> {
    const previous = messages.find(isSummary);
    const rest = messages.filter((m) => !isSummary(m));
    let start = Math.max(0, rest.length - settings.keep);
    while (start > 0 && !HumanMessage.isInstance(rest[start])) start -= 1;
    const old = rest.slice(0, start);
    if (!old.length) return [];
    const names = (await db.select({ name: clients.name }).from(clients)).map((c) => c.name);
    const turns = old.filter((m) => HumanMessage.isInstance(m) && typeof m.id === 'string').map((m) => m.id!);
    const effects = effectsOf ? await effectsOf(turns) : [];
    const told = (await summarize(old, names)).filter((line) => !effectsOf || !claimsEffect(line));
    const lines = [...told, ...(effects.length ? [`Effects (from the ledger): ${effects.join(' ')}`] : [])];
    // Derived from the messages it covers, so a re-run of this step after a crash writes the same row once.
    const id = `sum_${(await sha256Hex(`${threadId}\n${old[0]!.id}\n${old.at(-1)!.id}`)).slice(0, 24)}`;
    if (lines.length) {
      await db
        .insert(memorySummaries)
        .values({ id, threadId, text: lines.join('\n'), messages: old.length, createdAt: clock.now() })
        .onConflictDoNothing();
    }
    const earlier = previous ? textOf(previous).split('\n').slice(1) : [];
    const rolling = newestWithin([...earlier, ...lines], settings.maxSummaryChars);
    return [
      new RemoveMessage({ id: REMOVE_ALL_MESSAGES }),
      new AIMessage({ id: `${SUMMARY_ID}${id}`, content: [SUMMARY_HEADER, ...rolling].join('\n') }),
      ...rest.slice(start),
    ];
  }

  return { needed, compact };
}
