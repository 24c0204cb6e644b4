import type { Kernel } from '../kernel/index.js';
import { KernelError } from '../kernel/index.js';
import { shortUtc } from '../core/zoned-time.js';
import type { CommandSet, Outbound } from '../graph/index.js';
import { listPlaybooks, playbookStep, playbookTrigger, triggerText } from '../records/index.js';
import type { Db } from '../storage/index.js';

const text = (t: string): Outbound => ({ kind: 'text', text: t });
const verbs = { pause: 'playbooks.pause', resume: 'playbooks.resume', delete: 'playbooks.delete' } as const;
const done = { pause: 'paused', resume: 'resumed', delete: 'deleted' } as const;

/** /playbooks: each playbook with its trigger, steps, runs and last run; pause, resume or delete one, through the kernel. */
export function playbookCommands(deps: { db: Db; kernel: Kernel }): CommandSet {
  const { db, kernel } = deps;
  return {
    playbooks: {
      description: 'Playbooks with their runs and last run; /playbooks pause|resume|delete <id>',
      async run({ args, sender, eventId }) {
        const [verb, id] = args.split(/\s+/).filter(Boolean);
        if (!verb) {
          const list = await listPlaybooks(db);
          if (!list.length) {
            return [text('No playbooks. State a routine, e.g. "when a proposal is accepted: create a project for it, send the welcome email".')];
          }
          const lines = list.map((p) => {
            const steps = playbookStep.array().parse(p.steps);
            const last = p.lastRunAt ? `last ${shortUtc(p.lastRunAt)}` : 'never run';
            return `• ${p.id} · ${p.status} · "${p.name}" · when ${triggerText(playbookTrigger.parse(p.trigger))}: ${steps.map((s) => s.operation).join(' → ')} · ran ${p.runs}× · ${last}`;
          });
          return [text(`Playbooks:\n${lines.join('\n')}\nPause, resume or delete one: /playbooks pause <id>, /playbooks resume <id>, /playbooks delete <id>.`)];
        }
        if (!(verb in verbs) || !id) return [text('Use /playbooks, or /playbooks pause <id>, /playbooks resume <id>, /playbooks delete <id>.')];
        const action = verb as keyof typeof verbs;
        try {
          const result = await kernel.execute({
            operation: verbs[action],
            input: { playbook: id },
            idempotencyKey: `playbooks:${eventId}`,
            agent: `operator:${sender}`,
            reason: `The operator asked to ${action} playbook ${id}.`,
            evidence: [id],
          });
          if (result.state !== 'succeeded') return [text(`Playbook ${id} was not ${done[action]}: ${result.error ?? result.state}.`)];
          return [text(`Playbook ${id} is ${done[action]}.`)];
        } catch (error) {
          if (error instanceof KernelError) return [text(`I could not ${action} playbook ${id}: ${error.message}`)];
          throw error;
        }
      },
    },
  };
}
