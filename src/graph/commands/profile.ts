import { missingForInvoice, type BillingDetails } from '../../core/billing-details.js';
import type { Db } from '../../storage/index.js';
import { businessProfileOf } from '../../records/index.js';
import { PROFILE_EXAMPLE, profileLines } from '../../agents/index.js';
import type { CommandSet } from '../commands.js';

/** /profile: the business profile invoices carry (chat over BUSINESS_PROFILE), and what the first invoice still needs. */
export function profileCommands(deps: { db: Db; configured: BillingDetails }): CommandSet {
  return {
    profile: {
      description: 'your business profile: the seller on every invoice',
      async run() {
        const profile = await businessProfileOf(deps.db, deps.configured);
        const missing = missingForInvoice(profile);
        const body = Object.keys(profile).length ? profileLines(profile).join('\n') : 'No business profile yet.';
        const next = missing.length
          ? `\nBefore the first invoice I need your business's ${missing.join(', ')} — reply like: ${PROFILE_EXAMPLE}`
          : '\nChange any part by saying it, e.g. "my IBAN is …" or "my payment terms are 30 days".';
        return [{ kind: 'text', text: `Business profile:\n${body}${next}` }];
      },
    },
  };
}
