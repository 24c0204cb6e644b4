import type { ChatCommand, CommandSet } from '../commands.js';
import type { Outbound } from '../../chat/index.js';
import type { Timeline, TimelineStep } from '../timeline.js';

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
export function historyCommands(deps: { timeline: Timeline }): CommandSet {
  const { timeline } = deps;

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
    async run({ args }) {
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
      const replies = await timeline.rewind(target);
      const id = short(String(target.config.configurable?.checkpoint_id ?? ''));
      const note = target.next.length
        ? `Rewound to ${id} and replayed from there; what that request had already done is recognised below and was not repeated.`
        : `Rewound to ${id}; the conversation continues from there.`;
      return [text(note), ...replies];
    },
  };

  return { history, rewind };
}
