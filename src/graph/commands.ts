import type { Outbound, TransportName } from '../chat/index.js';

/** A slash command: answered without the model, from the ledger and memory. */
export interface ChatCommand {
  description: string;
  /** Moves the conversation's thread (a rewind), so it waits its turn behind a request in progress; other commands answer at once. */
  movesThread?: boolean;
  /** `eventId` is the platform's id of the command's message: a key for effects the command causes. */
  run(ctx: { args: string; sender: string; transport: TransportName; eventId: string }): Promise<Outbound[]>;
}

export type CommandSet = Record<string, ChatCommand>;

/** "/why abc", "/why@KeelBot abc" → { name: 'why', args: 'abc' }. */
export function parseCommand(message: string): { name: string; args: string } | undefined {
  const match = /^\/([a-z_]+)(?:@\w+)?(?:\s+([\s\S]*))?$/i.exec(message.trim());
  return match ? { name: match[1]!.toLowerCase(), args: (match[2] ?? '').trim() } : undefined;
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
