import { z } from 'zod';
import { billingTotals, issueLines } from '../../core/billing.js';

/**
 * What a standing rule can look at: facts derived from an action's validated
 * input, per operation. Only operations listed here can get a rule; rules
 * about rules (rules.*) or anything else are never waived.
 */
export interface RuleFacts {
  clientId?: string;
  amountMinor?: number;
  currency?: string;
  recipientDomain?: string;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

export const ruleFacts: Record<string, (input: Record<string, unknown>) => RuleFacts> = {
  'invoices.issue': (input) => {
    const lines = issueLines(input);
    // What the invoice asks the client to pay, VAT included: a ceiling is about money leaving their account.
    return { clientId: str(input.clientId), amountMinor: lines ? billingTotals(lines).grossMinor : undefined, currency: str(input.currency) };
  },
  'email.send': (input) => ({ clientId: str(input.clientId), recipientDomain: str(input.to)?.split('@')[1]?.toLowerCase() }),
  'calendar.book': (input) => ({ clientId: str(input.clientId) }),
};

export const ruleableOperations = Object.keys(ruleFacts) as [string, ...string[]];

/** Conditions on the facts: one client, one recipient domain, or only clients this operation already succeeded for. */
export const ruleConditions = z.object({
  clientId: z.string().min(1).optional(),
  /** The client's name when the rule was made, for reading the rule back. */
  clientName: z.string().min(1).optional(),
  recipientDomain: z.string().min(3).optional(),
  /** A client is "existing" when an earlier action of this operation for them succeeded. */
  existingClientsOnly: z.boolean().default(false),
});
export type RuleConditions = z.output<typeof ruleConditions>;

/** The input of rules.create: a rule as data, validated like any other operation's input. */
export const ruleSpec = z
  .object({
    operation: z.enum(ruleableOperations, { error: `must be one of ${ruleableOperations.join(', ')}` }),
    description: z.string().trim().min(1).max(300),
    conditions: ruleConditions.default({ existingClientsOnly: false }),
    maxAmountMinor: z.number().int().positive().optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
    perDay: z.number().int().positive().max(1000).optional(),
    expiresAt: z.string().datetime({ offset: true }).optional(),
    /** The operator's explicit yes to a rule for an operation that cannot be undone. */
    coversIrreversible: z.boolean().default(false),
  })
  .refine((r) => r.maxAmountMinor === undefined || r.currency !== undefined, {
    error: 'an amount ceiling needs its currency',
    path: ['currency'],
  });
export type RuleSpec = z.output<typeof ruleSpec>;
