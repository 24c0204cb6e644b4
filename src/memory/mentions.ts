import { eq, sql } from 'drizzle-orm';
import type { Db } from '../storage/index.js';
import { clientAliases, clients } from '../records/index.js';
import { isStopword } from './words.js';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const containsWord = (text: string, term: string) =>
  term.length > 0 && new RegExp(`(?:^|[^\\p{L}\\p{N}])${escapeRegExp(term)}(?:$|[^\\p{L}\\p{N}])`, 'u').test(text);
const firstWord = (s: string) => s.split(/\s+/)[0] ?? '';

/**
 * Clients a free-text query names anywhere in it: "the same kind of workshop
 * as Acme" mentions Acme Corp. A name, its first word ("Acme"), the
 * contact's name or first name, the email, or any alias counts, as a whole word.
 */
export async function mentionedClients(db: Db, query: string): Promise<string[]> {
  const q = query.toLowerCase();
  // SQL narrows to clients whose first word or email occurs in the text; the whole-word check follows in code.
  const first = (column: typeof clients.name | typeof clients.contactName) => sql`lower(substr(${column}, 1, instr(${column} || ' ', ' ') - 1))`;
  const candidates = await db
    .select()
    .from(clients)
    .where(
      sql`instr(${q}, ${first(clients.name)}) > 0 OR (${clients.contactName} IS NOT NULL AND instr(${q}, ${first(clients.contactName)}) > 0) OR (${clients.email} IS NOT NULL AND instr(${q}, lower(${clients.email})) > 0)`,
    );
  const found = new Set<string>();
  for (const c of candidates) {
    const terms = [c.name, firstWord(c.name), c.contactName ?? '', firstWord(c.contactName ?? ''), c.email ?? ''].map((t) => t.toLowerCase());
    if (terms.some((t) => t.length >= 3 && !isStopword(t) && containsWord(q, t))) found.add(c.id);
  }
  const aliases = await db
    .select({ clientId: clientAliases.clientId, value: clientAliases.value })
    .from(clientAliases)
    .innerJoin(clients, eq(clients.id, clientAliases.clientId))
    .where(sql`instr(${q}, ${clientAliases.value}) > 0`);
  for (const a of aliases) if (containsWord(q, a.value)) found.add(a.clientId);
  return [...found];
}
