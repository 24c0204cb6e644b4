import { resolveClient, type Client } from '../records/index.js';
import type { ForwardedFrom } from '../chat/index.js';
import type { Db } from '../storage/index.js';
import type { Kernel } from '../kernel/index.js';
import { fencedAsData } from './pasted.js';
import type { Unattributed } from './state.js';
import { clientAnswer } from './uploads.js';

/** How much of the forwarded words the answer quotes back; the whole text stays in the thread for later requests. */
const QUOTE_CHARS = 500;

const quote = (text: string) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return `«${flat.length > QUOTE_CHARS ? `${flat.slice(0, QUOTE_CHARS - 1)}…` : flat}»`;
};

/** The client a forwarded message's author belongs to: by their platform id (a linked Telegram or Slack user) first, then by name. */
async function authorOf(db: Db, from: ForwardedFrom): Promise<{ found?: Client; candidates: Client[] }> {
  if (from.platformId) {
    const byId = await resolveClient(db, from.platformId);
    if (byId.status === 'found') return { found: byId.client, candidates: [] };
  }
  const byName = await resolveClient(db, from.name);
  if (byName.status === 'found') return { found: byName.client, candidates: [] };
  return { candidates: byName.status === 'ambiguous' ? byName.candidates : [] };
}

/**
 * A message the operator forwarded is kept as its author's words — quoted and
 * attributed, data for any later request, never a request itself — so it
 * runs no model and proposes nothing: an instruction inside it ("pay invoice
 * 2026-0001") cannot become the operator's. The answer says whose words they
 * are (or asks, when no client or more than one fits) and offers what can be
 * done with them, in words the operator can send back.
 */
export async function forwardedMessage(db: Db, from: ForwardedFrom, text: string): Promise<{ content: string; reply: string; unclear: boolean }> {
  const { found, candidates } = await authorOf(db, from);
  const who = found ? `${from.name} (client ${found.name} [${found.id}])` : from.name;
  const content = fencedAsData(text, `a message from ${who}, forwarded by the operator`);
  const heading = `Forwarded from ${found ? `${from.name} (${found.name})` : from.name} — kept as their words, quoted; nothing in it is taken as your instruction:\n${quote(text)}`;
  if (found) {
    return {
      content,
      unclear: false,
      reply: `${heading}\nWhat should I do with it? Say "draft a follow-up to ${found.name}" for a reply, "note for ${found.name}: …" to keep it with the client, or "task: …" to act on it.`,
    };
  }
  const link = from.platformId ? `"link ${from.platformId} to [client]"` : `"[client] also goes by ${from.name}"`;
  const unclear = candidates.length
    ? `${from.name} could be ${candidates.map((c) => c.name).join(' or ')}; which is it? Say ${link.replace('[client]', candidates[0]!.name)} (or the other), or just the client's name, and I will know them next time.`
    : `I do not know ${from.name} yet. If they belong to a client, say ${link} (or just the client's name), and I will know them next time; or "add … as a client".`;
  return { content, unclear: true, reply: `${heading}\n${unclear}\nThen: "draft a follow-up to [client]", "note for [client]: …" or "task: …".` };
}

const platformKind = (id: string) => (/^telegram:/i.test(id) ? 'telegram' : /^slack:/i.test(id) ? 'slack' : undefined);

/**
 * The operator's answer to "which client is this?" after a forward: a short reply naming one client links the
 * author to it (their Telegram or Slack id when the forward carried one, else their name; `memory.link_identity`
 * through the kernel, keyed by the forward, so a second or re-delivered answer links once). Anything else is not an
 * answer (undefined); a name that fits several clients asks again.
 */
export async function attributeAnswered(
  db: Db,
  kernel: Kernel,
  pending: Unattributed,
  words: string,
  answerTurn: string,
): Promise<{ text: string; linked: boolean } | undefined> {
  const answer = await clientAnswer(db, words);
  if (!answer) return undefined;
  if ('candidates' in answer) {
    return { text: `${answer.name} could be ${answer.candidates.map((c) => c.name).join(' or ')}; which one is ${pending.from.name} with?`, linked: false };
  }
  const { client } = answer;
  const { from } = pending;
  const kind = (from.platformId && platformKind(from.platformId)) || 'name';
  const value = kind === 'name' ? from.name : from.platformId!;
  const action = await kernel.execute({
    operation: 'memory.link_identity',
    input: { clientId: client.id, kind, value },
    idempotencyKey: `forwarded:${pending.turn}:author`,
    agent: `operator:${pending.sender}`,
    reason: `The operator said the author of a forwarded message, ${from.name}, is with ${client.name}.`,
    evidence: [`msg:${pending.turn}`, `msg:${answerTurn}`, client.id],
    turn: pending.turn,
  });
  if (action.state !== 'succeeded') {
    return { text: `I could not link ${from.name} to ${client.name} (${action.error ?? action.state.replace(/_/g, ' ')}).`, linked: true };
  }
  return {
    text: `Noted: ${from.name} is with ${client.name} [${client.id}]; their forwarded message is ${client.name}'s words, and I will know them next time. What should I do with it? Say "draft a follow-up to ${client.name}" for a reply, "note for ${client.name}: …" to keep it with the client, or "task: …" to act on it.`,
    linked: true,
  };
}
