import { z } from 'zod';
import { InvalidInput } from './errors.js';

/** What an agent (or the operator) asks the kernel to do. */
export const actionRequest = z.object({
  operation: z.string().min(1),
  input: z.unknown(),
  /** Derived from where the action was proposed (thread, tool call id), never from the clock. */
  idempotencyKey: z.string().min(1).max(200),
  agent: z.string().min(1),
  reason: z.string().min(1),
  /** Ids of the memory items, messages or documents the agent relied on. */
  evidence: z.array(z.string()).default([]),
  threadId: z.string().optional(),
});
export type ActionRequest = z.input<typeof actionRequest>;
export type ParsedActionRequest = z.output<typeof actionRequest>;

/** Names each failing field and its problem, so the caller can fix the request without reading a stack. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, subject: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues
    .map((issue) => `${issue.path.length ? issue.path.map(String).join('.') : '(whole value)'}: ${issue.message}`)
    .join('; ');
  throw new InvalidInput(subject, problems);
}
