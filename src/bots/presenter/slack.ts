import type { types } from '@slack/bolt';
import type { ApprovalCard, Outbound } from '../../graph/index.js';
import { batchButton, cardButtons, cardStatus, expiryLine, type ButtonSpec } from './card-text.js';
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

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

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
  const facts = card.facts.slice(0, MAX_FIELDS).map((f) => ({
    type: 'mrkdwn' as const,
    text: clip(`*${escapeSlack(f.label)}*\n${escapeSlack(f.value)}`, FIELD_LIMIT),
  }));
  const context = [`${escapeSlack(card.agent)} agent`, escapeSlack(expiryLine(card))];
  if (card.evidence.length) context.push(`Evidence: ${card.evidence.map((e) => `\`${escapeSlack(e)}\``).join(' ')}`);
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: clip(`*${escapeSlack(card.title)}*`, SECTION_LIMIT) } },
    ...(facts.length ? [{ type: 'section' as const, fields: facts }] : []),
    { type: 'section', text: { type: 'mrkdwn', text: clip(`*Why:* ${escapeSlack(card.reason)}`, SECTION_LIMIT) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: clip(context.filter(Boolean).join(' · '), SECTION_LIMIT) }] },
    status
      ? { type: 'section', text: { type: 'mrkdwn', text: `*${escapeSlack(status)}*` } }
      : { type: 'actions', block_id: 'decision', elements: cardButtons(card).map(slackButton) },
  ];
  return { text: status ? `${card.title} — ${status}` : `Approval needed: ${card.title}`, blocks };
}

/** Plain text → escaped mrkdwn pieces that each fit one Slack message. */
export const splitForSlack = (text: string, limit = SLACK_TEXT_LIMIT) => splitEscaped(text, limit, escapeSlack);

/** Outbound → Slack messages: text as mrkdwn pieces, a card as one Block Kit message. */
export function renderSlack(message: Outbound): { kind: 'text'; parts: string[] } | ({ kind: 'card'; ref: string } & SlackMessage) {
  if (message.kind === 'text') return { kind: 'text', parts: splitForSlack(message.text) };
  if (message.kind === 'batch') {
    const { batch } = message;
    const list = clip(batch.lines.map((l) => `• ${escapeSlack(l)}`).join('\n'), SECTION_LIMIT);
    return {
      kind: 'card',
      ref: batch.ref,
      text: batch.summary,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: clip(`*${escapeSlack(batch.summary)}*\n${list}`, SECTION_LIMIT) } },
        batch.status
          ? { type: 'section', text: { type: 'mrkdwn', text: `*${escapeSlack(batch.status)}*` } }
          : { type: 'actions', block_id: 'batch', elements: [slackButton(batchButton(batch.ref, batch.lines.length))] },
      ],
    };
  }
  return { kind: 'card', ref: message.card.ref, ...renderSlackCard(message.card) };
}
