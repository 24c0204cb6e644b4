import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { agentTools, type AgentToolName } from '../src/agents/intents.js';

const toolNames = Object.keys(agentTools) as [AgentToolName, ...AgentToolName[]];

/**
 * One expected tool call. `args` is partial: only the keys given are checked.
 * `client` is compared after resolving both sides to a client record, so
 * "beta", "Tom" and "Beta GmbH" are the same; text fields match when the
 * actual value contains the expected words; `startsAt` is compared as an
 * instant, written "YYYY-MM-DDTHH:MM" in UTC (the eval's time zone).
 */
export const expectedCall = z.object({
  tool: z.enum(toolNames),
  args: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});
export type ExpectedCall = z.infer<typeof expectedCall>;

export const evalCase = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    /** As the operator typed it. */
    text: z.string().min(1),
    /** The calls that must happen. Empty: nothing may reach the ledger (Keel should ask or answer instead). */
    expect: z.array(expectedCall),
    /** For cases that expect no call: a pattern the reply must match (e.g. a question, or "/help"). */
    reply: z.string().optional(),
    /** The bucket the case is reported under; defaults to the first expected tool, or "asks". */
    intent: z.string().optional(),
    /** Messages sent first, not scored (e.g. the invoice whose card is then edited). */
    before: z.array(z.string()).default([]),
    /** Tap Edit on the last card `before` raised, so `text` is the edit. */
    edit: z.boolean().default(false),
    /** A phrasing the offline model's README lists: it must pass on the offline model. */
    readme: z.boolean().default(false),
  })
  .strict();
export type EvalCase = z.infer<typeof evalCase>;

export const intentOf = (c: EvalCase) => c.intent ?? c.expect[0]?.tool ?? 'asks';

/** Reads eval/corpus.jsonl (or `path`), one case per line; a malformed line fails with its line number. */
export function loadCorpus(path = new URL('./corpus.jsonl', import.meta.url)): EvalCase[] {
  const cases: EvalCase[] = [];
  const seen = new Set<string>();
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      if (line.trim() === '' || line.startsWith('//')) return;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch (error) {
        throw new Error(`corpus line ${index + 1} is not JSON: ${String(error)}`);
      }
      const parsed = evalCase.safeParse(json);
      if (!parsed.success) throw new Error(`corpus line ${index + 1}: ${z.prettifyError(parsed.error)}`);
      if (seen.has(parsed.data.id)) throw new Error(`corpus line ${index + 1}: duplicate id ${parsed.data.id}`);
      seen.add(parsed.data.id);
      cases.push(parsed.data);
    });
  return cases;
}
