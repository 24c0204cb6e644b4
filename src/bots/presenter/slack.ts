import type { types } from '@slack/bolt';
import type { ApprovalCard, Outbound } from '../../graph/index.js';
import { batchButton, cardButtons, cardStatus, expiryLine, type ButtonSpec, fileLine } from './card-text.js';
import { splitEscaped } from './split.js';

type KnownBlock = types.KnownBlock;

/** Slack's mrkdwn treats only these three characters as markup; everything else is literal. */
export const escapeSlack = (s: string) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);

// Slack's own limits: a section's text ≤ 3000 characters, a field ≤ 2000, at most 10 fields.
const SECTION_LIMIT = 3000;
const FIELD_LIMIT = 2000;
const MAX_FIELDS = 10;
/** Slack truncates a message's text beyond 40 000 characters and advises staying under 4000. */
export const SLACK_TEXT_LIMIT = 4000;

/** Plain text escaped to at most `max` characters: clipped (with …) before escaping, so no entity is cut in half. */
function escaped(text: string, max: number): string {
  const whole = escapeSlack(text);
  if (whole.length <= max) return whole;
  let length = 1;
  let cut = 0;
  for (const char of text) {
    length += escapeSlack(char).length;
    if (length > max) break;
    cut += char.length;
  }
  return `${escapeSlack(text.slice(0, cut))}…`;
}

/** What chat.postMessage and chat.update take: blocks plus the plain text shown in notifications. */
export interface SlackMessage {
  text: string;
  blocks?: KnownBlock[];
}

/** The value is only the card's (or batch's) random reference; the action itself never leaves the server. */
const slackButton = (b: ButtonSpec) => {
  const [verb, ref] = b.data.split(':') as [string, string];
  return { type: 'button' as const, action_id: verb, value: ref, ...(b.style ? { style: b.style } : {}), text: { type: 'plain_text' as const, text: b.label } };
};

export function renderSlackCard(card: ApprovalCard): SlackMessage {
  const status = cardStatus(card);
  // Every value is clipped before it is escaped, so an entity is never cut in half, and the escaped text stays within Slack's limits.
  const facts = card.facts.slice(0, MAX_FIELDS).map((f) => ({
    type: 'mrkdwn' as const,
    text: `*${escaped(f.label, 200)}*\n${escaped(f.value, FIELD_LIMIT - 210)}`,
  }));
  const evidence = card.evidence.slice(0, 20).map((e) => `\`${escaped(e, 80)}\``);
  const context = [`${escaped(card.agent, 100)} agent`, escapeSlack(expiryLine(card)), evidence.length ? `Evidence: ${evidence.join(' ')}` : ''];
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${escaped(card.title, SECTION_LIMIT - 2)}*` } },
    ...(facts.length ? [{ type: 'section' as const, fields: facts }] : []),
    { type: 'section', text: { type: 'mrkdwn', text: `*Why:* ${escaped(card.reason, SECTION_LIMIT - 10)}` } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: context.filter(Boolean).join(' · ') }] },
    status
      ? { type: 'section', text: { type: 'mrkdwn', text: `*${escapeSlack(status)}*` } }
      : { type: 'actions', block_id: 'decision', elements: cardButtons(card).map(slackButton) },
  ];
  // The fallback text shows in notifications and is parsed like any message: unescaped, a "<!channel>" in a client's name would ping everyone.
  const title = escaped(card.title, 1000);
  return { text: status ? `${title} — ${escapeSlack(status)}` : `Approval needed: ${title}`, blocks };
}

/** Plain text → escaped mrkdwn pieces that each fit one Slack message. */
export const splitForSlack = (text: string, limit = SLACK_TEXT_LIMIT) => splitEscaped(text, limit, escapeSlack);

/** Outbound → Slack messages: text as mrkdwn pieces, a card as one Block Kit message. */
export function renderSlack(message: Outbound): { kind: 'text'; parts: string[] } | ({ kind: 'card'; ref: string } & SlackMessage) {
  if (message.kind === 'text') return { kind: 'text', parts: splitForSlack(message.text) };
  if (message.kind === 'file') return { kind: 'text', parts: splitForSlack(fileLine(message.file)) };
  if (message.kind === 'batch') {
    const { batch } = message;
    const summary = escaped(batch.summary, 500);
    // Whole lines, each clipped before escaping, as many as fit one section.
    let list = '';
    let shown = 0;
    for (const l of batch.lines) {
      const line = `\n• ${escaped(l, 300)}`;
      if (summary.length + list.length + line.length + 40 > SECTION_LIMIT) break;
      list += line;
      shown += 1;
    }
    if (shown < batch.lines.length) list += `\n… and ${batch.lines.length - shown} more`;
    return {
      kind: 'card',
      ref: batch.ref,
      text: summary,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `*${summary}*${list}` } },
        batch.status
          ? { type: 'section', text: { type: 'mrkdwn', text: `*${escapeSlack(batch.status)}*` } }
          : { type: 'actions', block_id: 'batch', elements: [slackButton(batchButton(batch.ref, batch.lines.length))] },
      ],
    };
  }
  return { kind: 'card', ref: message.card.ref, ...renderSlackCard(message.card) };
}
