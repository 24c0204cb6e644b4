import type { z } from 'zod';
import { agentTools, type AgentToolArgs, type AgentToolName, type coordinatorTools } from '../intents.js';

/**
 * What the parser makes of one message. Argument types come from the zod
 * schemas in intents.ts, so the offline model cannot drift from the tools the
 * real model is shown.
 */
export type ToolIntent = { [K in AgentToolName]: { kind: 'tool'; tool: K; args: AgentToolArgs<K> } }[AgentToolName];

/**
 * A payment named by its payer or amount rather than its number ("beta paid", "got €1,800 from Beta"). The
 * parser cannot know which invoice that is; the model lists the payer's open invoices and pays the one that fits.
 */
export interface PaymentLookup {
  client?: string;
  amount?: number;
}

/** The request maps to `tool` but lacks something essential; `question` asks for it, unless `lookup` can find it. */
export type ClarifyIntent = { kind: 'clarify'; tool: AgentToolName; lookup?: PaymentLookup } & z.infer<typeof coordinatorTools.clarify>;

/** A greeting, a help request, or text no grammar understood (quoted in `unknown`). */
export type HelpIntent = { kind: 'help' } & z.infer<typeof coordinatorTools.explain_capabilities>;

export type ParsedIntent = ToolIntent | ClarifyIntent | HelpIntent;

/** What a grammar hands to the schema: defaults such as create_invoice's description may be left out. */
export type ToolInput<K extends AgentToolName> = z.input<(typeof agentTools)[K]>;

export interface ParseContext {
  /** The cleaned message: single spaces, no courtesies, no trailing punctuation. */
  text: string;
  now: Date;
  timeZone: string;
  defaultCurrency: string | undefined;
}

/** One intent's grammar: undefined means "not this intent", so the next grammar is tried. */
export type Grammar = (context: ParseContext) => ParsedIntent | undefined;

export function clarify(tool: AgentToolName, question: string): ClarifyIntent {
  return { kind: 'clarify', tool, question };
}

/**
 * Validates the arguments a grammar read against the tool's schema (which
 * also fills its defaults). Values the schema rejects, such as a malformed
 * email or 0 hours, become a question to the operator instead of a bad call.
 */
export function toolIntent<K extends AgentToolName>(tool: K, candidate: ToolInput<K>, whenInvalid: string): ToolIntent | ClarifyIntent {
  const parsed = agentTools[tool].safeParse(candidate);
  if (!parsed.success) return clarify(tool, whenInvalid);
  // TypeScript cannot correlate `tool` with `parsed.data` through the generic K; the schema lookup above guarantees it.
  return { kind: 'tool', tool, args: parsed.data } as ToolIntent;
}
