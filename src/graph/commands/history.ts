import type { ChatCommand, CommandSet } from '../commands.js';
import type { Outbound } from '../../chat/index.js';
import type { Kernel } from '../../kernel/index.js';
import type { Db } from '../../storage/index.js';
import { cardFor, outcomeLine } from '../../agents/index.js';
import type { RewindOutcome, Timeline, TimelineStep } from '../timeline.js';

const text = (t: string): Outbound => ({ kind: 'text', text: t });
const DEFAULT_STEPS = 10;
const MAX_STEPS = 50;
/** The tail of a checkpoint id shown and accepted: its random part, unique in practice. */
const SHORT_ID = 12;
const short = (id: string) => id.slice(-SHORT_ID);
const quote = (s: string) => (s.length > 50 ? `${s.slice(0, 49)}…` : s);

function describe(step: TimelineStep): string {
  const where = step.next.length ? `before ${step.next.join(', ')}` : 'end of turn';
  const said = step.said ? ` · "${quote(step.said)}"` : '';
  return `${short(step.checkpointId)} · step ${step.step} · ${where}${said}`;
}

/** /history and /rewind: the thread's checkpoints with the actions of their turns, and time travel. */
export function historyCommands(deps: { timeline: Timeline; kernel: Kernel; db: Db; timeZone: string }): CommandSet {
  const { timeline, kernel, db, timeZone } = deps;

  /**
   * What the rewind changed, from the ledger: the cards it withdrew (shown in their new state, so every app
   * redraws them without buttons) and the effects it did not take back, each with the /undo that would.
   */
  async function undone(outcome: RewindOutcome): Promise<Outbound[]> {
    const lines: string[] = [];
    if (outcome.withdrawn.length) {
      lines.push(
        `Withdrawn — ${outcome.withdrawn.length === 1 ? 'this card was' : `these ${outcome.withdrawn.length} cards were`} proposed after that point and can no longer be approved:`,
      );
      lines.push(...outcome.withdrawn.map((a) => `• ${kernel.operation(a.operation).summary} (action ${a.id})`));
    }
    if (outcome.kept.length) {
      lines.push('Not undone — these already happened after that point; a rewind does not take effects back, /undo does:');
      lines.push(...outcome.kept.map((a) => `• ${outcomeLine(a, kernel.operation(a.operation), timeZone).replace(/\.$/, '')} (/undo ${a.id})`));
    }
    if (!lines.length) lines.push('Nothing was proposed or done after that point, so nothing was withdrawn or left standing.');
    const cards = await Promise.all(
      outcome.withdrawn.map(async (a): Promise<Outbound> => ({ kind: 'card', card: await cardFor(db, a, kernel.operation(a.operation), timeZone) })),
    );
    return [text(lines.join('\n')), ...cards];
  }

  const history: ChatCommand = {
    description: 'The last steps of this conversation and the actions they took; /history 20 for more',
    async run({ args }) {
      const wanted = Number.parseInt(args, 10);
      const limit = Number.isFinite(wanted) && wanted > 0 ? Math.min(wanted, MAX_STEPS) : DEFAULT_STEPS;
      const steps = await timeline.steps(limit);
      if (!steps.length) return [text('Nothing has happened in this conversation yet.')];
      const actions = [...new Map(steps.flatMap((s) => s.actions).map((a) => [a.id, a])).values()];
      const lines = [
        `Last ${steps.length} steps, newest first (/rewind <id> goes back to one):`,
        ...steps.map(describe),
        ...(actions.length ? ['Actions in these turns:', ...actions.map((a) => `${a.id} ${a.operation} ${a.state.replace(/_/g, ' ')}`)] : []),
      ];
      return [text(lines.join('\n'))];
    },
  };

  const rewind: ChatCommand = {
    movesThread: true,
    description: 'Go back to an earlier step of this conversation (from /history); actions already taken are not repeated',
    async run({ args, sender }) {
      const matches = await timeline.find(args.trim());
      if (matches.length !== 1) {
        return [
          text(
            matches.length
              ? `"${args}" matches ${matches.length} steps; give more of the id from /history.`
              : 'Which step? Use /rewind <id> with an id from /history.',
          ),
        ];
      }
      const target = matches[0]!;
      const outcome = await timeline.rewind(target, sender);
      const id = short(String(target.config.configurable?.checkpoint_id ?? ''));
      const inbound = target.values.inbound as { payload?: { kind: string; text?: string } } | null | undefined;
      const at = inbound?.payload?.kind === 'text' ? ` (${target.next.length ? 'during' : 'after'} "${quote(inbound.payload.text ?? '')}")` : '';
      const note = target.next.length
        ? `Rewound to ${id}${at} and replayed from there; what that request had already done is recognised below and was not repeated.`
        : `Rewound to ${id}${at}; the conversation continues from there.`;
      return [text(note), ...(await undone(outcome)), ...outcome.replies];
    },
  };

  return { history, rewind };
}
