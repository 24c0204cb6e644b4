import { playbookSpec, resolveClient, triggerText, unreadableTemplates, type PlaybookSpec } from '../records/index.js';
import type { AgentToolArgs } from './intents.js';
import type { ToolContext, ToolOutcome } from './toolbox.js';
import type { ToolHelpers } from './work-tools.js';

/** A step value as written ("30", "true", "{{client.id}}"): numbers and booleans become theirs, the rest stays text. */
const literal = (value: string): string | number | boolean =>
  /^-?\d+(?:\.\d+)?$/.test(value) ? Number(value) : value === 'true' ? true : value === 'false' ? false : value;

/** A routine stated in chat becomes a playbook proposed as data; it exists only once the operator approves its card. */
export function playbookTools({ answer, act }: Pick<ToolHelpers, 'answer' | 'act'>) {
  const propose_playbook = async (args: AgentToolArgs<'propose_playbook'>, ctx: ToolContext): Promise<ToolOutcome> => {
    const steps: { operation: string; input: Record<string, string | number | boolean> }[] = [];
    for (const s of args.steps) {
      const input: Record<string, string | number | boolean> = Object.fromEntries(s.inputs.map((i) => [i.field, literal(i.value)]));
      // A client named in a step ("invoice Acme's retainer") is fixed now, by name, to the one client it means.
      if (typeof input.client === 'string' && !input.client.includes('{{')) {
        const match = await resolveClient(ctx.db, input.client);
        if (match.status !== 'found') {
          return answer(
            match.status === 'ambiguous'
              ? `"${input.client}" could be ${match.candidates.map((c) => c.name).join(' or ')}; say which in the playbook.`
              : `I know no client "${input.client}"; add them first, then state the playbook again.`,
          );
        }
        const { client: _named, ...rest } = input;
        steps.push({ operation: s.operation, input: { ...rest, clientId: match.client.id } });
        continue;
      }
      steps.push({ operation: s.operation, input });
    }
    const parsed = playbookSpec.safeParse({
      name: args.name,
      trigger:
        args.event === 'invoice_overdue'
          ? { event: args.event, days: args.overdueDays ?? 0 }
          : args.event === 'schedule'
            ? { event: args.event, every: args.every, day: args.day, time: args.time }
            : { event: args.event },
      steps,
      compensateOnFailure: args.undoOnFailure,
    });
    if (!parsed.success) return answer(`That playbook does not read: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}.`);
    const spec: PlaybookSpec = parsed.data;
    const unreadable = unreadableTemplates(spec);
    if (unreadable.length) {
      return answer(`When ${triggerText(spec.trigger)}, there is nothing for ${unreadable.join(', ')} to read; say the steps with what that event has.`);
    }
    // Each step's input is checked against its operation now, with templates standing in, so a card never shows a step that cannot run.
    for (const [index, step] of spec.steps.entries()) {
      const shape = ctx.kernel
        .operation(step.operation)
        .input.safeParse(Object.fromEntries(Object.entries(step.input).map(([k, v]) => [k, typeof v === 'string' && v.includes('{{') ? sample(k) : v])));
      if (!shape.success) {
        return answer(
          `Step ${index + 1} (${step.operation}) does not make a valid request: ${shape.error.issues.map((i) => `${i.path.join('.') || 'input'} ${i.message}`).join('; ')}. Nothing was proposed.`,
        );
      }
    }
    return act(
      ctx,
      {
        operation: 'playbooks.create',
        input: spec,
        reason: `The operator stated a routine: when ${triggerText(spec.trigger)}, ${spec.steps.length} step${spec.steps.length === 1 ? '' : 's'} in order.`,
      },
      (r) => `Playbook "${spec.name}" is on [${(r as { playbook: string }).playbook}]; /playbooks lists it.`,
    );
  };
  return { propose_playbook };
}

/** A value of the right kind for a templated field, so the operation's schema can judge the rest of the step. */
function sample(field: string): string | number {
  if (/(?:Centi|Minor|Minutes|Days)$/.test(field)) return 100;
  if (field === 'startsAt' || field === 'dueAt') return '2030-01-07T10:00:00.000Z';
  if (field === 'to') return 'someone@example.com';
  if (field === 'currency') return 'EUR';
  return 'text';
}
