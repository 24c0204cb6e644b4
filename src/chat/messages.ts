import { z } from 'zod';

/**
 * The contract between transports and the conversation: transports produce
 * `Inbound` and render `Outbound`; nothing else crosses that line.
 */
export const transportName = z.enum(['web', 'telegram', 'slack', 'system']);
export type TransportName = z.infer<typeof transportName>;

export const MAX_TEXT = 4000;

export const cardAction = z.enum(['edit', 'why', 'batch']);
export type CardAction = z.infer<typeof cardAction>;

/** Who wrote a forwarded message, as the platform names them: a display name, and their platform id ("telegram:555", "slack:U0DANA") when it shows one. */
export const forwardedFrom = z.object({
  name: z.string().trim().min(1).max(200),
  platformId: z.string().max(200).optional(),
});
export type ForwardedFrom = z.infer<typeof forwardedFrom>;

export const inbound = z.object({
  transport: transportName,
  /** Who sent it, as the platform names them, e.g. "telegram:4242"; the conversation (graph/conversation.ts) checks it against the operator list. */
  sender: z.string().min(1),
  /** Where replies go on that platform (chat id, channel id, browser session). */
  chat: z.string().min(1),
  /** The platform's id for this event; with the transport it makes the inbox key. */
  eventId: z.string().min(1).max(200),
  payload: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('text'),
      text: z
        .string()
        .trim()
        .min(1, { error: 'The message is empty.' })
        .max(MAX_TEXT, { error: `The message is longer than ${MAX_TEXT} characters; send it in parts.` }),
      /**
       * Set when the operator forwarded someone else's message (Telegram's forward_origin, a Slack shared
       * message): the text is that person's words, never the operator's request.
       */
      forwarded: forwardedFrom.optional(),
    }),
    /**
     * A document or photo the operator sent. The transport names it; the conversation fetches and stores it
     * (the files store, through the kernel) once the event is admitted, and sets `id` to the stored file's.
     */
    z.object({
      kind: z.literal('upload'),
      file: z.object({
        name: z.string().trim().min(1).max(200),
        contentType: z.string().trim().min(1).max(100),
        size: z.number().int().nonnegative().optional(),
        id: z.string().min(1).optional(),
      }),
      caption: z
        .string()
        .trim()
        .max(MAX_TEXT, { error: `The caption is longer than ${MAX_TEXT} characters.` })
        .default(''),
    }),
    z.object({
      kind: z.literal('decision'),
      ref: z.string().min(8).max(64),
      decision: z.enum(['approve', 'reject']),
    }),
    /** The other card buttons: edit the card, ask why, or approve a batch (then ref is the batch's). */
    z.object({
      kind: z.literal('card_action'),
      ref: z.string().min(8).max(64),
      action: cardAction,
    }),
  ]),
});
export type Inbound = z.infer<typeof inbound>;

export const approvalCard = z.object({
  ref: z.string(),
  actionId: z.string(),
  agent: z.string(),
  /** What will happen, in one line: "Issue invoice to Acme Corp". */
  title: z.string(),
  /** To whom, amounts, dates: label/value pairs shown as a list. */
  facts: z.array(z.object({ label: z.string(), value: z.string() })),
  reason: z.string(),
  evidence: z.array(z.string()),
  expiresAt: z.string(),
  state: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
});
export type ApprovalCard = z.infer<typeof approvalCard>;

/** Several open cards of one kind offered for approval with one tap. */
export const approvalBatch = z.object({
  ref: z.string(),
  /** "Approve these 5 invoices, total 4,200.00 EUR". */
  summary: z.string(),
  lines: z.array(z.string()),
  /** Set once the batch was tapped ("Approved 5 of 5"); the button is gone then. */
  status: z.string().optional(),
});
export type ApprovalBatch = z.infer<typeof approvalBatch>;

export const outbound = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('text'),
    text: z.string(),
    /** Only for the operator's eyes (a sign-in link): sent to their private chat or DM, never into a group or channel. */
    private: z.boolean().optional(),
  }),
  z.object({ kind: z.literal('card'), card: approvalCard }),
  z.object({ kind: z.literal('batch'), batch: approvalBatch }),
  /**
   * A stored file for the operator (an invoice PDF, an export, a chart): the
   * id names it in the files store; each transport fetches the bytes through
   * the conversation and sends them its own way (a document in Telegram, an
   * upload in Slack, a signed link in the web chat).
   */
  z.object({
    kind: z.literal('file'),
    file: z.object({ id: z.string().min(1), name: z.string().min(1), contentType: z.string().min(1), caption: z.string().optional() }),
  }),
]);
export type Outbound = z.infer<typeof outbound>;
