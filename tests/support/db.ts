import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Keel } from '../../src/app.js';
import { openStorage, type Storage } from '../../src/storage/index.js';
import { nodePlatform } from '../../src/platform/node.js';

/**
 * The seller every test Keel invoices as unless a test sets its own BUSINESS_PROFILE ('' for none, to see the
 * first-invoice question): a small business, so the amounts tests expect carry no VAT.
 */
export const TEST_BUSINESS = 'Test Consulting, Teststr. 1, 10115 Berlin, Germany, small business';

/** A fresh libSQL file in its own temp folder, migrated like production. */
export function tempDatabase(prefix = 'keel-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const url = pathToFileURL(join(dir, 'keel.db')).href;
  return {
    url,
    dir,
    /** Settings that keep everything Keel writes (database, files, mail) inside the temp folder. */
    env: { DATABASE_URL: url, FILES_DIR: join(dir, 'files'), OUTBOX_DIR: join(dir, 'outbox'), BUSINESS_PROFILE: TEST_BUSINESS },
    open: (): Promise<Storage> => openStorage({ url }, nodePlatform),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Gives a client the billing address an invoice needs, as data (no action in the ledger, so tests counting actions are unchanged); the benchmarks use it as setup too. */
export async function withBillingAddress(keel: Keel, clientName: string): Promise<void> {
  await keel.storage.client.execute({
    sql: `UPDATE clients SET billing_address = '["Torstr. 5"]', billing_postcode = '10119', billing_city = 'Berlin', billing_country = 'DE' WHERE name = ?`,
    args: [clientName],
  });
}
