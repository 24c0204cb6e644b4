import type { Outbound, TransportName } from '../chat/index.js';
import { linkCommandIn } from '../agents/index.js';

/** A slash command: answered without the model, from the ledger and memory. */
export interface ChatCommand {
  description: string;
  /** Moves the conversation's thread (a rewind), so it waits its turn behind a request in progress; other commands answer at once. */
  movesThread?: boolean;
  /** `eventId` is the platform's id of the command's message: a key for effects the command causes. */
  run(ctx: { args: string; sender: string; transport: TransportName; eventId: string }): Promise<Outbound[]>;
}

export type CommandSet = Record<string, ChatCommand>;

/**
 * Asking for a document in words is /pdf: "send me invoice 2026-0002", "show me the pdf of 2026-0002",
 * "pdf for invoice 2026-0002". Only a request to the operator themselves ("me", "show", "pdf"): "send invoice
 * 2026-0002 to Tom" is an email for the model to propose, never this.
 */
const DOCUMENT_ASKS = [
  /^(?:please\s+)?(?:(?:send|give|get)\s+me|show(?:\s+me)?|open)\s+(?:the\s+)?(?:pdf\s+(?:of|for)\s+)?(?:(?:the\s+)?invoice\s+)?(?:#|no\.?\s*)?(\d{4}-\d{3,})(?:\s+(?:as\s+(?:a\s+)?)?pdf)?(?:,?\s+please)?\s*[.!?]?$/i,
  /^(?:the\s+)?pdf\s+(?:of|for)\s+(?:the\s+)?(?:invoice\s+)?(?:#|no\.?\s*)?(\d{4}-\d{3,})(?:,?\s+please)?\s*[.!?]?$/i,
];

/**
 * "/why abc", "/why@KeelBot abc" → { name: 'why', args: 'abc' }; a document asked for in words → { name: 'pdf', args: its number };
 * a client link revoked, paused or resumed in words → /revoke or /links.
 */
export function parseCommand(message: string): { name: string; args: string } | undefined {
  const match = /^\/([a-z_]+)(?:@\w+)?(?:\s+([\s\S]*))?$/i.exec(message.trim());
  if (match) return { name: match[1]!.toLowerCase(), args: (match[2] ?? '').trim() };
  for (const ask of DOCUMENT_ASKS) {
    const number = ask.exec(message.trim())?.[1];
    if (number) return { name: 'pdf', args: number };
  }
  // Client links in words ("revoke Beta's proposal link", "pause my booking page") are /revoke and /links, whatever the model.
  return linkCommandIn(message);
}

/**
 * Every slash command Keel answers, gathered from one file per family: core (`commands/core.ts`: help, pending,
 * why, undo), rules (`commands/rules.ts`), history (`commands/history.ts`), workspace (`bots/workspace/login.ts`)
 * and the digest (`jobs/commands.ts`). Two families naming one command is a wiring mistake, refused at start.
 */
export function commandRegistry(...families: CommandSet[]): CommandSet {
  const registry: CommandSet = {};
  for (const family of families) {
    for (const [name, command] of Object.entries(family)) {
      if (name in registry) throw new Error(`Two command families define /${name}; give one of them another name.`);
      registry[name] = command;
    }
  }
  return registry;
}
