import type { Kernel } from '../kernel/index.js';
import { resolveClient, type Client } from '../records/index.js';
import type { Inbound } from '../chat/index.js';
import type { Db } from '../storage/index.js';

/** Words a caption uses around a client's name that are never one ("signed contract for Beta"). */
const notNames = new Set([
  'a',
  'an',
  'the',
  'for',
  'from',
  'with',
  'of',
  'to',
  'and',
  'my',
  'our',
  'their',
  'signed',
  'contract',
  'nda',
  'brief',
  'offer',
  'photo',
  'scan',
  'copy',
  'pdf',
  'document',
  'doc',
  'final',
  'draft',
  'new',
  'this',
  'here',
  'is',
]);

const documentNouns = /^(contract|nda|brief|offer|quote|proposal|agreement|invoice|receipt|photo|scan|statement)s?$/i;

/**
 * The one client a caption names: the words after "for"/"from"/"with"/"of"
 * first ("signed contract for Beta"), else each other word ("Beta NDA");
 * several different clients, or none, is no answer.
 */
async function clientIn(db: Db, caption: string): Promise<{ client?: Client; candidates: Client[] }> {
  const after = /\b(?:for|from|with|of)\s+(.+)$/i
    .exec(caption)?.[1]
    ?.replace(/[.!]+$/, '')
    .trim();
  if (after) {
    const match = await resolveClient(db, after);
    if (match.status === 'found') return { client: match.client, candidates: [] };
    if (match.status === 'ambiguous') return { candidates: match.candidates };
  }
  const found = new Map<string, Client>();
  for (const word of caption.split(/[^\p{L}\p{N}@.'-]+/u)) {
    const plain = word.replace(/'s$/i, '');
    if (plain.length < 3 || notNames.has(plain.toLowerCase())) continue;
    const match = await resolveClient(db, plain);
    if (match.status === 'found') found.set(match.client.id, match.client);
  }
  const clients = [...found.values()];
  return clients.length === 1 ? { client: clients[0]!, candidates: [] } : { candidates: clients };
}

/**
 * A document or photo the conversation stored: filed under the client its
 * caption names (through the kernel, so it is audited and undoable), or kept
 * unfiled with a question when the caption names none or several. Runs no
 * model: the caption is read for a client's name only.
 */
export async function fileUpload(db: Db, kernel: Kernel, event: Inbound & { payload: { kind: 'upload' } }, turnId: string): Promise<string> {
  const { file, caption } = event.payload;
  if (!file.id) return `${file.name} was not stored; send it again.`;
  const { client, candidates } = await clientIn(db, caption);
  if (!client) {
    const which = candidates.length
      ? `The caption could mean ${candidates.map((c) => c.name).join(' or ')}.`
      : caption
        ? 'The caption names no client I know.'
        : 'It came without a caption.';
    return `I kept ${file.name} [${file.id}], but not under a client: ${which} Which client is it for? Send it again with the client in the caption, e.g. "signed contract for Beta".`;
  }
  const action = await kernel.execute({
    operation: 'records.file_document',
    input: { fileId: file.id, clientId: client.id, label: caption || file.name, name: file.name, contentType: file.contentType },
    idempotencyKey: `document:${turnId}`,
    agent: `operator:${event.sender}`,
    reason: caption ? `The operator sent ${file.name} with the caption "${caption}".` : `The operator sent ${file.name}.`,
    evidence: [`msg:${turnId}`, file.id, client.id],
    turn: turnId,
  });
  if (action.state !== 'succeeded') return `I kept ${file.name} [${file.id}] but could not file it under ${client.name} (${action.state.replace(/_/g, ' ')}).`;
  const documentId = (action.result as { documentId: string }).documentId;
  const noun =
    caption
      .split(/\s+/)
      .find((w) => documentNouns.test(w))
      ?.toLowerCase() ?? 'document';
  return `Filed ${file.name} under ${client.name}${caption ? ` as "${caption}"` : ''} [${documentId}]. Say "send me ${client.name}'s ${noun}" to get it back.`;
}
