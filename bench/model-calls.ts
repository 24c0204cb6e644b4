import { createKeel } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/core/logger.js';
import { nodePlatform } from '../src/platform/node.js';
import { startRealisticModel } from '../tests/support/realistic-model.js';
import { benchSettings, check, textEvent, withBillingAddress, withTempDir, type BenchGroup, type Row } from './support.js';

/**
 * What a request costs at a model endpoint: model calls and prompt size per
 * kind of request, counted at a local OpenAI-compatible server (the realistic
 * model of the tests, which answers as real models do). Tokens are estimated
 * at 4 characters a token from the request bodies the real ChatOpenAI client
 * sent; a hosted model's tokenizer counts a little differently.
 */
const requests: [string, string][] = [
  ['add a client', 'Add Beta GmbH as a client, contact tom@beta.test'],
  ['invoice (card)', 'Invoice Acme 10 hours at 150 EUR for October consulting'],
  ['overdue invoices', "what's overdue?"],
  ['follow-up email (card)', 'draft a follow-up to Dana about the workshop'],
  ['book a meeting (card)', 'book a call with Dana tomorrow at 10:00'],
  ['remember a note', 'remember that Dana prefers calls on Fridays'],
  ['recall', 'what do we know about Acme?'],
];

export const modelCalls: BenchGroup = {
  name: 'Model calls',
  run: () =>
    withTempDir('model-calls', async (dir) => {
      const model = await startRealisticModel();
      const config = loadConfig({ ...benchSettings(dir), OPENAI_BASE_URL: model.url });
      const keel = await createKeel({ platform: nodePlatform, config, logger: silentLogger });
      try {
        await keel.conversation.handle(textEvent('Add Acme Corp as a client, contact dana@acme.test'));
        await withBillingAddress(keel, 'Acme Corp');
        const rows: Row[] = [];
        for (const [kind, text] of requests) {
          const before = model.calls().length;
          const result = await keel.conversation.handle(textEvent(text));
          check(result.status === 'handled', `"${text}" was ${result.status}`);
          if (kind.endsWith('(card)'))
            check(
              result.replies.some((reply) => reply.kind === 'card'),
              `"${text}" stopped at a card`,
            );
          const calls = model.calls().slice(before);
          const tokens = calls.reduce((sum, call) => sum + Math.ceil(JSON.stringify({ messages: call.messages, tools: call.tools }).length / 4), 0);
          rows.push({
            group: 'Model calls',
            benchmark: kind,
            notes: `${calls.length} model calls, ≈${tokens.toLocaleString('en')} prompt tokens (tool schemas included)`,
          });
        }
        return rows;
      } finally {
        keel.close();
        await model.close();
      }
    }),
};
