import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { ConnectorError, defineOperation, type Connector } from '../../kernel/connector.js';
import type { ConnectorDeps } from '../../kernel/connector-deps.js';
import { formatHours, formatMoney } from '../../core/money.js';
import { describeLine } from '../../core/billing.js';
import { clientById, proposals } from '../../records/index.js';
import { first } from '../../core/rows.js';
import type { Mailer } from '../email/index.js';

export interface ProposalSettings {
  /** Who the proposal is from: the signature of its email. */
  issuer: string;
  /** The client's page for the proposal (Accept / Decline), quoted in its email; the same link on every retry. */
  pageLink?: ((proposalId: string, clientId: string) => Promise<string>) | undefined;
}

/** One email per proposal, whichever action (or re-run) gets there. */
const mailKey = (proposalId: string) => `proposal:${proposalId}:email`;

/**
 * Sends a proposal to its client: the scope and price by email with the link to its page, where the client accepts
 * or declines it; the proposal is then `sent`. Mail cannot be unsent, so it always waits for the operator's approval.
 */
export function proposalsConnector({ db }: ConnectorDeps, mailer: Mailer, settings: ProposalSettings): Connector {
  const byId = (id: string) => first(db.select().from(proposals).where(eq(proposals.id, id)));

  const send = defineOperation({
    name: 'proposals.send',
    summary: 'send a proposal to the client',
    input: z.object({ proposalId: z.string().min(1) }),
    leavesSystem: true,
    async run({ proposalId }, ctx) {
      const proposal = await byId(proposalId);
      if (!proposal) throw new ConnectorError(`There is no proposal ${proposalId}.`, { retryable: false });
      if (proposal.status === 'accepted' || proposal.status === 'declined') {
        throw new ConnectorError(`Proposal ${proposalId} is already ${proposal.status}; it was not sent.`, { retryable: false });
      }
      const client = await clientById(db, proposal.clientId);
      if (!client?.email) {
        throw new ConnectorError(`${client?.name ?? proposal.clientId} has no email address; add one ("Beta's email is tom@beta.test"), then send it again.`, {
          retryable: false,
        });
      }
      const page = await settings.pageLink?.(proposal.id, proposal.clientId);
      // Day rates and fixed prices are lines; hours × rate is the shape of proposals from before lines.
      const priced = proposal.lines?.length
        ? proposal.lines.map((l) => describeLine(l, proposal.currency))
        : [
            proposal.hoursCenti !== null ? formatHours(proposal.hoursCenti) : '',
            proposal.rateMinor !== null ? `at ${formatMoney(proposal.rateMinor, proposal.currency)}/h` : '',
          ];
      const price = [...priced, proposal.totalMinor !== null ? `total ${formatMoney(proposal.totalMinor, proposal.currency)}` : ''].filter(Boolean).join(', ');
      const email = await mailer.send({
        key: mailKey(proposal.id),
        to: client.email,
        clientId: client.id,
        subject: `Proposal: ${proposal.title}`,
        text: `Hello ${client.contactName ?? client.name},\n\nhere is my proposal "${proposal.title}"${price ? `: ${price}` : ''}.\n${proposal.scope ? `\n${proposal.scope}\n` : ''}${page ? `\nRead it, and accept or decline it, here: ${page}\n` : ''}\n${settings.issuer}\n`,
        heartbeat: ctx.heartbeat,
      });
      await db
        .update(proposals)
        .set({ status: 'sent' })
        .where(and(eq(proposals.id, proposal.id), inArray(proposals.status, ['draft'])));
      return { proposalId: proposal.id, emailedTo: email.to, ...(page ? { page } : {}) };
    },
    async lookup(_key, { proposalId }) {
      const mail = await mailer.state(mailKey(proposalId));
      if (mail.status !== 'sent') return mail.status === 'unknown' ? mail : { status: 'not_done' };
      const proposal = await byId(proposalId);
      // The email left but the status was not set yet: running again sets it and sends nothing (the mail is keyed).
      if (proposal?.status === 'draft') return { status: 'not_done' };
      return { status: 'done', result: { proposalId, emailedTo: mail.email.to } };
    },
    compensation: { kind: 'irreversible', note: 'the email cannot be unsent; revoke its link (/revoke <client> proposal) to take the proposal back' },
  });

  return { name: 'proposals', rateLimit: { perSecond: 2, burst: 5 }, operations: [send] };
}
