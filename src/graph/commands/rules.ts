import type { Kernel, StandingRule } from '../../kernel/index.js';
import { KernelError, type RuleStore } from '../../kernel/index.js';
import { formatMoney } from '../../core/money.js';
import { shortUtc } from '../../core/zoned-time.js';
import type { CommandSet } from '../commands.js';
import type { Outbound } from '../../chat/index.js';

const text = (t: string): Outbound => ({ kind: 'text', text: t });

/** A rule read back: what it approves, its limits, how often it fired. */
export function ruleLine(rule: StandingRule & { fires: number }): string {
  const c = rule.conditions as { clientName?: string; recipientDomain?: string; existingClientsOnly?: boolean };
  const limits = [
    rule.operation,
    rule.maxAmountMinor !== null && rule.currency ? `up to ${formatMoney(rule.maxAmountMinor, rule.currency)}` : '',
    c.clientName ? `only ${c.clientName}` : '',
    c.recipientDomain ? `only @${c.recipientDomain}` : '',
    c.existingClientsOnly ? 'existing clients only' : '',
    rule.perDay ? `at most ${rule.perDay} a day` : '',
    rule.expiresAt ? `until ${shortUtc(rule.expiresAt)}` : '',
    rule.coversIrreversible ? 'cannot be undone: confirmed' : '',
  ].filter(Boolean);
  return `${rule.id} · ${rule.status} · fired ${rule.fires}× · "${rule.description}" (${limits.join(', ')})`;
}

const verbs = { pause: 'rules.pause', resume: 'rules.resume', revoke: 'rules.revoke' } as const;
const done = { pause: 'paused', resume: 'resumed', revoke: 'revoked' } as const;

/** /rules: the standing rules with their fire counts; pause, resume or revoke one from chat, through the kernel. */
export function ruleCommands(deps: { kernel: Kernel; rules: RuleStore }): CommandSet {
  const { kernel, rules } = deps;
  return {
    rules: {
      description: 'Standing approval rules and how often each fired; /rules pause|resume|revoke <id>',
      async run({ args, sender, eventId }) {
        const [verb, id] = args.split(/\s+/).filter(Boolean);
        if (!verb) {
          const list = await rules.list();
          if (!list.length) return [text('No standing rules. Say e.g. "always approve invoices under 500 EUR to existing clients" to propose one.')];
          return [
            text(
              `Standing rules:\n${list.map((r) => `• ${ruleLine(r)}`).join('\n')}\nPause, resume or revoke one: /rules pause <id>, /rules resume <id>, /rules revoke <id>.`,
            ),
          ];
        }
        if (!(verb in verbs) || !id) return [text('Use /rules, or /rules pause <id>, /rules resume <id>, /rules revoke <id>.')];
        const action = verb as keyof typeof verbs;
        try {
          const result = await kernel.execute({
            operation: verbs[action],
            input: { rule: id },
            idempotencyKey: `rules:${eventId}`,
            agent: `operator:${sender}`,
            reason: `The operator asked to ${action} rule ${id}.`,
            evidence: [id],
          });
          if (result.state !== 'succeeded') return [text(`Rule ${id} was not ${done[action]}: ${result.error ?? result.state}.`)];
          return [text(`Rule ${id} is ${done[action]}.${action === 'resume' ? '' : ' Matching actions wait for your approval again.'}`)];
        } catch (error) {
          if (error instanceof KernelError) return [text(`I could not ${action} rule ${id}: ${error.message}`)];
          throw error;
        }
      },
    },
  };
}
