import type { Client } from '../records/index.js';

/** What the sales agent knows about a client's reply when it drafts the answer. */
export interface ReplySeen {
  replyId: string;
  fromAddress: string;
  fromName?: string | undefined;
  subject: string;
  body: string;
  messageId: string;
}

const EXCERPT_CHARS = 280;

/** The reply's own words, without the quoted thread below them, cut to a card's length. */
export function replyExcerpt(body: string): string {
  const own = body.split(/\r?\n(?:On .{0,200}wrote:|-{2,} ?Original Message|>)/)[0] ?? body;
  const flat = own.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS - 1)}…` : flat;
}

/**
 * The sales agent's answer to a client's reply: a short acknowledgement in
 * the same thread, proposed as an email that waits for the operator's
 * approval (and is edited there or rejected, never sent by itself).
 */
export function replyFollowup(reply: ReplySeen, client: Client, operatorName: string) {
  const greeting = reply.fromName?.split(/\s+/)[0] || client.contactName?.split(/\s+/)[0] || client.name;
  const subject = /^re:/i.test(reply.subject) ? reply.subject : `Re: ${reply.subject || 'your message'}`;
  const body = `Hi ${greeting},\n\nThank you for your reply. I will get back to you on this shortly.\n\nBest regards,\n${operatorName}`;
  const who = reply.fromName ? `${reply.fromName} <${reply.fromAddress}>` : reply.fromAddress;
  return {
    input: { to: reply.fromAddress, subject: subject.slice(0, 200), body, clientId: client.id, inReplyTo: reply.messageId },
    reason: `${who} of ${client.name} replied ("${reply.subject}"): "${replyExcerpt(reply.body)}" A follow-up keeps the conversation moving.`,
    notice: `${who} (${client.name}) replied: "${reply.subject}"\n${replyExcerpt(reply.body)}`,
  };
}
