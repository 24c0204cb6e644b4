import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type AIMessageChunk } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { agentTools, coordinatorTools, type AgentToolName } from '../../src/agents/intents.js';
import { scopes } from '../../src/agents/scopes.js';
import { OfflineChatModel, parseIntent } from '../../src/agents/offline-model/index.js';
import { embed, startOpenAIServer, type ChatCompletionRequest, type OpenAIServer } from '../support/openai-server.js';

let server: OpenAIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
const start = async (...args: Parameters<typeof startOpenAIServer>) => {
  server = await startOpenAIServer(...args);
  return server;
};

// Retries would turn a scripted 500 into a slow test; a failure should show at once.
const chatModel = (url: string) => new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'test-key', configuration: { baseURL: url }, maxRetries: 0 });
const toolsFor = (names: readonly AgentToolName[]) =>
  names.map((name) => tool(async () => 'done', { name, description: agentTools[name].description ?? name, schema: agentTools[name] }));
const coordinatorToolList = Object.entries(coordinatorTools).map(([name, schema]) => ({ name, description: schema.description ?? name, schema }));
const lastUserText = (request: ChatCompletionRequest) => {
  const content = request.messages.findLast((message) => message.role === 'user')?.content;
  return typeof content === 'string' ? content : '';
};

describe('ChatOpenAI against a local OpenAI-compatible endpoint', () => {
  it('sends the tool definitions and the API key, and returns tool calls that parse with the intents schemas', async () => {
    const { url, requests } = await start([
      { tool_calls: [{ name: 'create_invoice', args: { client: 'Acme', hours: 10, rate: 150, currency: 'EUR', description: 'October consulting' } }] },
    ]);
    const model = chatModel(url).bindTools(toolsFor(scopes.finance.tools));

    const answer = await model.invoke([
      new SystemMessage('You are the finance agent.'),
      new HumanMessage('Invoice Acme 10 hours at 150 EUR for October consulting'),
    ]);

    expect(answer.tool_calls).toHaveLength(1);
    const [call] = answer.tool_calls ?? [];
    expect(call).toMatchObject({ id: 'call_1', name: 'create_invoice', type: 'tool_call' });
    expect(agentTools.create_invoice.parse(call?.args)).toEqual({ client: 'Acme', hours: 10, rate: 150, currency: 'EUR', description: 'October consulting' });

    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/chat/completions' });
    expect(request?.headers.authorization).toBe('Bearer test-key');
    const body = request?.body as ChatCompletionRequest;
    expect(body.model).toBe('gpt-4o-mini');
    expect(body.messages.map((message) => message.role)).toEqual(['system', 'user']);
    expect(body.tools?.map((definition) => definition.function.name)).toEqual(scopes.finance.tools);
    const invoiceTool = body.tools?.find((definition) => definition.function.name === 'create_invoice');
    expect(invoiceTool).toMatchObject({ type: 'function', function: { description: agentTools.create_invoice.description } });
    expect(invoiceTool?.function.parameters).toMatchObject({
      type: 'object',
      // Hours × rate, or priced lines (day rates, fixed prices): neither is required on its own, the tool asks when both are missing.
      properties: { client: { type: 'string' }, hours: { type: 'number' }, lines: { type: 'array' }, currency: { pattern: '^[A-Z]{3}$' } },
      required: expect.arrayContaining(['client']),
    });
  });

  it('merges streamed tool-call deltas into the same tool call', async () => {
    const { url, requests } = await start([
      {
        tool_calls: [
          {
            id: 'call_stream',
            name: 'schedule_meeting',
            args: { client: 'Acme', title: 'Meeting', startsAt: '2026-01-06T10:00:00+01:00', durationMinutes: 45 },
          },
        ],
      },
    ]);
    const model = chatModel(url).bindTools(toolsFor(scopes.operations.tools));

    let merged: AIMessageChunk | undefined;
    for await (const chunk of await model.stream('schedule a meeting with Acme tomorrow at 10:00 for 45 minutes')) {
      merged = merged === undefined ? chunk : merged.concat(chunk);
    }

    expect((requests[0]?.body as ChatCompletionRequest).stream).toBe(true);
    expect(merged?.tool_calls).toEqual([
      {
        id: 'call_stream',
        name: 'schedule_meeting',
        args: { client: 'Acme', title: 'Meeting', startsAt: '2026-01-06T10:00:00+01:00', durationMinutes: 45 },
        type: 'tool_call',
      },
    ]);
    expect(agentTools.schedule_meeting.safeParse(merged?.tool_calls?.[0]?.args).success).toBe(true);
    expect(merged?.usage_metadata?.total_tokens).toBeGreaterThan(0);
  });

  it('streams plain text too', async () => {
    const { url } = await start([{ content: 'Nothing is overdue.' }]);
    let text = '';
    for await (const chunk of await chatModel(url).stream("what's overdue?")) text += chunk.text;
    expect(text).toBe('Nothing is overdue.');
  });

  it('carries a tool round trip: the assistant call and the tool result go back with matching ids', async () => {
    const { url, requests } = await start([{ content: 'Invoice 2026-0003 is marked as paid.' }]);
    const messages = [
      new HumanMessage('mark invoice 2026-0003 as paid'),
      new AIMessage({ content: '', tool_calls: [{ id: 'call_pay', name: 'record_payment', args: { invoice: '2026-0003' } }] }),
      new ToolMessage({ content: 'Invoice 2026-0003 is marked as paid.', tool_call_id: 'call_pay' }),
    ];

    const answer = await chatModel(url).bindTools(toolsFor(scopes.finance.tools)).invoke(messages);

    expect(answer.text).toBe('Invoice 2026-0003 is marked as paid.');
    const sent = (requests[0]?.body as ChatCompletionRequest).messages;
    expect(sent[1]).toMatchObject({
      role: 'assistant',
      tool_calls: [{ id: 'call_pay', type: 'function', function: { name: 'record_payment', arguments: '{"invoice":"2026-0003"}' } }],
    });
    expect(sent[2]).toMatchObject({ role: 'tool', tool_call_id: 'call_pay', content: 'Invoice 2026-0003 is marked as paid.' });
  });

  it('gives the same tool calls as the offline model when the endpoint answers like it', async () => {
    const clock = new ManualClock('2026-01-05T09:00:00Z');
    // The endpoint "model" is the offline parser itself, so both paths must agree call for call.
    const { url } = await start(async (request) => {
      const intent = parseIntent(lastUserText(request), { now: clock.now(), timeZone: 'Europe/Berlin' });
      return intent.kind === 'tool' ? { tool_calls: [{ name: intent.tool, args: intent.args }] } : { content: 'not understood' };
    });
    const offline = new OfflineChatModel({ clock, timeZone: 'Europe/Berlin' });
    const allTools = toolsFor(Object.keys(agentTools) as AgentToolName[]);

    for (const text of [
      'Add Acme Corp as a client, contact dana@acme.test',
      "invoice Acme 40h at last quarter's rate",
      'book a call with Dana on 2026-12-03 14:30',
      'draft a LinkedIn post about pricing workshops',
      'status',
    ]) {
      const [remote, local] = await Promise.all([chatModel(url).bindTools(allTools).invoke(text), offline.bindTools(allTools).invoke(text)]);
      const strip = (message: AIMessage) => message.tool_calls?.map(({ name, args }) => ({ name, args }));
      expect(strip(remote)).toEqual(strip(local));
      expect(strip(remote)).toHaveLength(1);
    }
  });

  it('routes through the coordinator tools with a request-dependent handler', async () => {
    const { url, requests } = await start((request) =>
      /invoice/i.test(lastUserText(request))
        ? { tool_calls: [{ name: 'route', args: { agent: 'finance', request: lastUserText(request) } }] }
        : { tool_calls: [{ name: 'explain_capabilities', args: { unknown: lastUserText(request) } }] },
    );
    const coordinator = chatModel(url).bindTools(coordinatorToolList);

    const routed = await coordinator.invoke('invoice Acme 40h at 150 EUR');
    const explained = await coordinator.invoke('sing me a song');

    expect(coordinatorTools.route.parse(routed.tool_calls?.[0]?.args)).toEqual({ agent: 'finance', request: 'invoice Acme 40h at 150 EUR' });
    expect(explained.tool_calls?.[0]?.name).toBe('explain_capabilities');
    expect(coordinatorTools.explain_capabilities.parse(explained.tool_calls?.[0]?.args)).toEqual({ unknown: 'sing me a song' });
    expect((requests[0]?.body as ChatCompletionRequest).tools?.map((definition) => definition.function.name)).toEqual([
      'route',
      'clarify',
      'explain_capabilities',
    ]);
  });

  it('fails loudly when the script runs out', async () => {
    const { url } = await start([]);
    await expect(chatModel(url).invoke('status')).rejects.toThrow(/No scripted reply left/);
  });
});

describe('OpenAIEmbeddings against the local endpoint', () => {
  it('returns deterministic vectors, equal for equal texts', async () => {
    const { url, requests } = await start();
    const embeddings = new OpenAIEmbeddings({ model: 'text-embedding-3-small', apiKey: 'test-key', configuration: { baseURL: url }, maxRetries: 0 });

    const [acme, beta, acmeAgain] = await embeddings.embedDocuments(['Acme workshop', 'Beta retainer', 'Acme workshop']);
    const query = await embeddings.embedQuery('Acme workshop');

    expect(acme).toHaveLength(8);
    expect(acmeAgain).toEqual(acme);
    expect(query).toEqual(acme);
    expect(beta).not.toEqual(acme);
    // The SDK asked for base64 float32 and decoded it; the values survive to float32 precision.
    embed('Acme workshop').forEach((value, i) => expect(acme?.[i]).toBeCloseTo(value, 6));
    expect(requests.every((request) => request.path === '/v1/embeddings' && request.headers.authorization === 'Bearer test-key')).toBe(true);
  });
});
