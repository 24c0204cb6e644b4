import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDatabase } from '../support/db.js';
import { cardsIn, startKeel, textIn, type TestKeel, withBillingAddress } from '../support/keel.js';
import { freePort } from '../support/port.js';
import { startRealisticModel, type RealisticModel } from '../support/realistic-model.js';

/** What the realistic-model suite leaves out: an endpoint nobody listens on, and calls that arrive in parallel, in either order. */
describe('with a realistic model: refused connections and parallel calls', () => {
  const db = tempDatabase();
  const refusedDb = tempDatabase();
  let model: RealisticModel;
  let keel: TestKeel;
  let refused: TestKeel;

  beforeAll(async () => {
    model = await startRealisticModel();
    keel = await startKeel({ url: db.url, env: { OPENAI_BASE_URL: model.url, MODEL_TIMEOUT_SECONDS: '5' } });
    await keel.say('Add Acme Corp as a client, contact dana@acme.test');
    await withBillingAddress(keel, 'Acme Corp');
    // A port taken and let go again: nothing listens there, so every connection is refused.
    refused = await startKeel({ url: refusedDb.url, env: { OPENAI_BASE_URL: `http://127.0.0.1:${await freePort()}/v1`, MODEL_MAX_RETRIES: '1' } });
  });
  afterAll(async () => {
    keel.close();
    refused.close();
    await model.close();
    db.remove();
    refusedDb.remove();
  });

  it('an endpoint that refuses connections gets a message naming it, and nothing is done', async () => {
    const reply = textIn((await refused.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies);
    expect(reply).toContain('could not be reached (connection refused or reset) (tried 2 times)');
    expect(reply).toContain('Nothing was done.');
    expect(await refused.count('actions')).toBe(0);
  });

  it('a lookup sent in parallel with the invoice, before or after it, still makes one card per request', async () => {
    for (const first of [true, false]) {
      model.misbehave({ alongside: { call: { name: 'find_client', args: { query: 'Acme' } }, first } });
      const reply = await keel.say(`Invoice Acme ${first ? 4 : 5} hours at 150 EUR for ${first ? 'October' : 'November'} work`);
      expect(cardsIn(reply.replies)).toHaveLength(1);
      expect(textIn(reply.replies)).toContain('Prepared for your approval: issue an invoice');
    }
    expect((await keel.kernel.list()).filter((a) => a.operation === 'invoices.issue')).toHaveLength(2);
  });
});
