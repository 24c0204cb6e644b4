import { z } from 'zod';
import { InvalidInput } from './errors.js';

/** Something the operator should weigh before approving, shown on the card as "⚠ <about>: <text>". */
export const actionWarning = z.object({ about: z.string().min(1), text: z.string().min(1) });
export type ActionWarning = z.infer<typeof actionWarning>;

/** What an agent (or the operator) asks the kernel to do. */
export const actionRequest = z.object({
  operation: z.string().min(1),
  input: z.unknown(),
  /** Derived from what was asked (thread, request, operation, canonical input), never from the clock or a model-chosen id. */
  idempotencyKey: z.string().min(1).max(200),
  agent: z.string().min(1),
  reason: z.string().min(1),
  /** Ids of the memory items, messages or documents the agent relied on. */
  evidence: z.array(z.string()).default([]),
  threadId: z.string().optional(),
  /** The operator's request (inbound event) this action answers. */
  turn: z.string().optional(),
  /**
   * Waits for the operator even where a standing rule would approve it: a replayed request that now proposes
   * something it did not propose before must be seen, not run on a rule meant for fresh requests.
   */
  requireApproval: z.boolean().optional(),
  /**
   * What the operator should weigh before approving (a rate far from the client's last one): shown on the card,
   * and an action with any is never folded into a one-tap batch.
   */
  warnings: z.array(actionWarning).optional(),
});
export type ActionRequest = z.input<typeof actionRequest>;
export type ParsedActionRequest = z.output<typeof actionRequest>;

/** Names each failing field and its problem, so the caller can fix the request without reading a stack. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, subject: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${issue.path.length ? issue.path.map(String).join('.') : '(whole value)'}: ${issue.message}`).join('; ');
  throw new InvalidInput(subject, problems);
}
