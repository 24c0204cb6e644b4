import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDatabase } from '../support/db.js';
import { cardsIn, startKeel, textIn, withBillingAddress, type TestKeel } from '../support/keel.js';
import { startOpenAIServer, type ChatCompletionRequest, type OpenAIServer } from '../support/openai-server.js';

const offered = (req: ChatCompletionRequest) => new Set((req.tools ?? []).map((t) => t.function.name));
const lastRole = (req: ChatCompletionRequest) => req.messages.at(-1)?.role;

/**
 * A scripted model on a local OpenAI-compatible server, reached by the real
 * ChatOpenAI client that the configuration selects: it routes to finance and
 * asks for an invoice (it would answer with text if it were shown the tool result).
 */
function scriptedModel(req: ChatCompletionRequest) {
  if (offered(req).has('route'))
    return { tool_calls: [{ name: 'route', args: { agent: 'finance', request: 'Invoice Acme 12 hours at 140 EUR for November work' } }] };
  if (lastRole(req) === 'tool') return { content: 'I prepared the invoice; it waits for your approval.' };
  return { tool_calls: [{ name: 'create_invoice', args: { client: 'Acme', hours: 12, rate: 140, currency: 'EUR', description: 'November work' } }] };
}

describe('a conversation with an OpenAI-compatible model', () => {
  const db = tempDatabase();
  let server: OpenAIServer;
  let keel: TestKeel;

  beforeAll(async () => {
    server = await startOpenAIServer(scriptedModel);
    keel = await startKeel({ url: db.url, env: { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'sk-test-secret-key', OPENAI_MODEL: 'local-model' } });
    await keel.kernel.execute({
      operation: 'records.upsert_client',
      input: { name: 'Acme Corp', email: 'dana@acme.test' },
      idempotencyKey: 'seed-acme',
      agent: 'operator',
      reason: 'test setup',
    });
    await withBillingAddress(keel, 'Acme Corp');
  });
  afterAll(async () => {
    keel.close();
    await server.close();
    db.remove();
  });

  it('turns the model tool calls into an approval card, and Approve issues one invoice', async () => {
    const result = await keel.say('bill Acme for the November work, 12h at 140');
    const [card] = cardsIn(result.replies);
    expect(card?.facts).toContainEqual({ label: 'Total', value: '1,680.00 EUR' });
    // The outcome line comes from the ledger: no third call asks the model to restate the tool result.
    expect(textIn(result.replies)).toContain('Prepared for your approval: issue an invoice');
    expect(server.requests.filter((r) => r.path.endsWith('/chat/completions'))).toHaveLength(2);

    const first = server.requests[0]!;
    expect(first.headers.authorization).toBe('Bearer sk-test-secret-key');
    expect((first.body as ChatCompletionRequest).model).toBe('local-model');
    expect(JSON.stringify(server.requests.map((r) => r.body))).not.toContain('sk-test-secret-key');

    await keel.tap(card!.ref);
    expect(await keel.count('invoices')).toBe(1);
  });
});
