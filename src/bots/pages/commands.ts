import type { CommandSet, Outbound } from '../../graph/index.js';
import type { Kernel } from '../../kernel/index.js';
import { clientById, clientProposals, invoiceByNumber, resolveClient } from '../../records/index.js';
import type { Db } from '../../storage/index.js';
import { shortUtc } from '../../core/zoned-time.js';
import type { ClientLink, ClientLinks, LinkKind } from './links.js';

const text = (t: string, extra: { private?: boolean } = {}): Outbound[] => [{ kind: 'text', text: t, ...extra }];
const KINDS = ['proposal', 'invoice', 'booking'] as const satisfies readonly LinkKind[];

/** "Beta's proposal link", "beta proposal", "the booking page of Beta" → the client's words and the kind, if one is named. */
function clientAndKind(words: string): { who: string; kind: LinkKind | undefined } {
  const kind = KINDS.find((k) => new RegExp(`\\b${k}s?\\b`, 'i').test(words));
  const who = words
    .replace(/\b(proposals?|invoices?|booking|links?|pages?|the|my|our|of|for)\b/gi, ' ')
    .replace(/['’]s\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return { who, kind };
}

/**
 * Client links from chat: `/links` lists the open ones; `/links booking Beta` makes Beta's booking page link, and
 * `/links proposal Beta` / `/links invoice 2026-0001` give (or make again, after a revocation) a document's link;
 * `/links pause Beta` and `/links resume Beta` switch Beta's booking page (`/links pause` alone, every one);
 * `/revoke Beta's proposal link` (or `/links revoke …`, or a link id) ends links at once. Revoking and pausing are
 * audited. The same in words ("revoke Beta's proposal link", "pause my booking page") arrives as these commands
 * (`parseCommand`, through the offline model's `linkCommandIn`).
 */
export function linkCommands(deps: { db: Db; kernel: Kernel; links: ClientLinks }): CommandSet {
  const { db, kernel, links } = deps;

  async function describe(link: ClientLink) {
    const client = await clientById(db, link.clientId);
    const what = link.kind === 'booking' ? 'booking page' : `${link.kind} ${link.subject}`;
    return `${link.id}: ${client?.name ?? link.clientId}, ${what}, until ${shortUtc(link.expiresAt)}${link.pausedAt ? ' (paused)' : ''}`;
  }

  /** The open links the words name: a link id, or a client and optionally a kind. */
  async function named(words: string): Promise<{ found: ClientLink[] } | { answer: Outbound[] }> {
    const byId = (await links.active()).filter((link) => link.id === words.trim());
    if (byId.length) return { found: byId };
    const { who, kind } = clientAndKind(words);
    if (!who) return { answer: text('Name the client (and proposal, invoice or booking), e.g. "/revoke Beta\'s proposal link", or a link id from /links.') };
    const match = await resolveClient(db, who);
    if (match.status === 'ambiguous') return { answer: text(`"${who}" could be ${match.candidates.map((c) => c.name).join(' or ')}; which one?`) };
    if (match.status === 'none') return { answer: text(`I know no client "${who}".`) };
    return { found: await links.active({ clientId: match.client.id, ...(kind ? { kind } : {}) }) };
  }

  async function revoke(words: string, sender: string): Promise<Outbound[]> {
    const picked = await named(words);
    if ('answer' in picked) return picked.answer;
    if (!picked.found.length) return text('No open link matches that; nothing changed. /links lists the open ones.');
    const lines = await Promise.all(picked.found.map(describe));
    const revoked = await links.revoke(
      picked.found.map((link) => link.id),
      sender,
    );
    for (const link of picked.found) await kernel.audit({ actor: sender, event: 'client_link_revoked', detail: { linkId: link.id, kind: link.kind } });
    return text(`Revoked ${revoked} link${revoked === 1 ? '' : 's'}; they now show nothing:\n${lines.join('\n')}`);
  }

  /** Naming no client ("pause my booking page") switches every open booking page: they are all the operator's. */
  async function pause(words: string, sender: string, paused: boolean): Promise<Outbound[]> {
    const every = !clientAndKind(words).who;
    const picked = every ? { found: await links.active({ kind: 'booking' }) } : await named(`${words} booking`);
    if ('answer' in picked) return picked.answer;
    const booking = picked.found.filter((link) => link.kind === 'booking');
    if (!booking.length) {
      return text(
        every
          ? 'No booking page is open; make one with /links booking <client>.'
          : 'That client has no open booking page; make one with /links booking <client>.',
      );
    }
    for (const link of booking) {
      if (await links.setPaused(link.id, paused)) {
        await kernel.audit({ actor: sender, event: paused ? 'booking_page_paused' : 'booking_page_resumed', detail: { linkId: link.id } });
      }
    }
    return text(paused ? 'Booking page paused: it offers no times until you /links resume it.' : 'Booking page open again.');
  }

  return {
    links: {
      description: 'Client links (proposal, invoice and booking pages): list, give one, pause a booking page, revoke',
      async run({ args, sender }) {
        const [verb = '', ...rest] = args.split(/\s+/).filter(Boolean);
        const words = rest.join(' ');
        if (verb === 'revoke') return revoke(words, sender);
        if (verb === 'pause' || verb === 'resume') return pause(words, sender, verb === 'pause');
        if (verb === 'invoice') {
          const invoice = await invoiceByNumber(db, words);
          if (!invoice) return text(words ? `There is no invoice ${words}.` : 'Name the invoice: /links invoice 2026-0001');
          return text(`Invoice ${invoice.number}'s page: ${await links.urlFor('invoice', invoice.number, invoice.clientId)}`, { private: true });
        }
        if (verb === 'proposal') {
          const match = await resolveClient(db, words);
          if (match.status !== 'found') return text(words ? `I cannot tell which client "${words}" is.` : 'Name the client: /links proposal Beta');
          // The newest proposal the client was sent: a page for a draft would offer what was never sent.
          const sent = (await clientProposals(db, match.client.id)).find((p) => p.status === 'sent');
          if (!sent)
            return text(
              `${match.client.name} has no sent proposal waiting for an answer; "send the proposal to ${match.client.name}" sends one with its link.`,
            );
          return text(`${match.client.name}'s proposal "${sent.title}": ${await links.urlFor('proposal', sent.id, match.client.id)}`, { private: true });
        }
        if (verb === 'booking') {
          const match = await resolveClient(db, words);
          if (match.status !== 'found') return text(words ? `I cannot tell which client "${words}" is.` : 'Name the client: /links booking Beta');
          const url = await links.urlFor('booking', match.client.id, match.client.id);
          return text(`${match.client.name}'s booking page: ${url}\nShare it with them; /links pause ${match.client.name} stops it.`, { private: true });
        }
        const open = await links.active();
        if (!open.length) return text('No client links are open. Sending a proposal or an invoice makes one; /links booking <client> makes a booking page.');
        return text(`Open client links:\n${(await Promise.all(open.map(describe))).join('\n')}\n/revoke <client> <proposal|invoice|booking> ends them.`);
      },
    },
    revoke: {
      description: "Revoke a client's link: /revoke Beta's proposal link",
      run: ({ args, sender }) => revoke(args, sender),
    },
  };
}
