import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AIMessage, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { createMemory, extractiveSummarizer, hashedNgramEmbedder, modelSummarizer, type Summarizer } from '../../src/memory/index.js';
import { memorySummaries } from '../../src/memory/tables.js';
import type { Storage } from '../../src/storage/index.js';
import { tempDatabase } from '../support/db.js';
import { startOpenAIServer, type ChatHandler, type OpenAIServer } from '../support/openai-server.js';

// The model is a local OpenAI-compatible server (tests/support/openai-server.ts) answering through the real ChatOpenAI client.
const clock = new ManualClock('2026-03-02T09:00:00Z');
const FACT = 'Dana said the Q3 budget is 12,000 EUR and the kickoff is on 3 March';

/** One early fact, then enough small talk that compaction moves the fact out of the working state. */
function conversation(): BaseMessage[] {
  const messages: BaseMessage[] = [new HumanMessage({ content: FACT, id: 'web:0' }), new AIMessage({ content: `Noted: ${FACT}.`, id: 'ai:0' })];
  for (let i = 1; i <= 12; i += 1) {
    messages.push(
      new HumanMessage({ content: 'status', id: `web:${i}` }),
      new AIMessage({ content: 'Nothing overdue.\nNothing waits for approval.', id: `ai:${i}` }),
    );
  }
  return messages;
}

describe('compaction summaries', () => {
  let db: ReturnType<typeof tempDatabase>;
  let storage: Storage;
  let server: OpenAIServer | undefined;
  const errors: unknown[] = [];

  beforeEach(async () => {
    db = tempDatabase();
    storage = await db.open();
    errors.length = 0;
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    storage.close();
    db.remove();
  });

  const memoryWith = (summarizer: Summarizer) =>
    createMemory({
      db: storage.db,
      client: storage.client,
      clock,
      logger: silentLogger,
      embedder: hashedNgramEmbedder,
      compaction: { after: 10, keep: 4, maxSummaryChars: 2000 },
      indexIntervalMs: 60_000,
      summarizer,
    });
  const withModel = async (handler: ChatHandler) => {
    server = await startOpenAIServer(handler);
    const model = new ChatOpenAI({ model: 'test-model', apiKey: 'sk-test', configuration: { baseURL: server.url }, maxRetries: 0 });
    return memoryWith(modelSummarizer(model, (error) => errors.push(error)));
  };
  const stored = async () => (await storage.db.select().from(memorySummaries)).map((s) => s.text);

  it('lets a configured model write the summary, and the early fact stays answerable through recall', async () => {
    const memory = await withModel(() => ({ content: 'Operator: Q3 budget for Dana is 12,000 EUR; kickoff on 3 March.\nKeel: nothing else was overdue.' }));
    const update = await memory.compact('op:test', conversation());
    expect(update.length).toBeGreaterThan(1);
    expect(await stored()).toEqual(['Operator: Q3 budget for Dana is 12,000 EUR; kickoff on 3 March.\nKeel: nothing else was overdue.']);
    // The model saw the conversation being compacted, as data after its instructions.
    const request = server!.requests.find((r) => r.path === '/v1/chat/completions')!.body as { messages: { role: string; content: string }[] };
    expect(request.messages[0]!.role).toBe('system');
    expect(request.messages[1]!.content).toContain(`Operator: ${FACT}`);
    const [hit] = await memory.recall({ text: 'what is the Q3 budget?', kinds: ['summary'] });
    expect(hit!.text).toContain('12,000 EUR');
    expect(hit!.id).toMatch(/^sum_[0-9a-f]{24}$/);
  });

  it('keeps verbatim any line whose amount or date the model dropped', async () => {
    const memory = await withModel(() => ({ content: 'Operator: Dana mentioned a budget for Q3.' }));
    await memory.compact('op:test', conversation());
    const [text] = await stored();
    expect(text).toBe(['Operator: Dana mentioned a budget for Q3.', `Operator: ${FACT}`, `Keel: Noted: ${FACT}.`].join('\n'));
  });

  it('falls back to the extractive summary, and reports it, when the model fails', async () => {
    const memory = await withModel(() => {
      throw new Error('model overloaded');
    });
    await memory.compact('op:test', conversation());
    expect(await stored()).toEqual([`Operator: ${FACT}\nKeel: Noted: ${FACT}.`]);
    expect(errors).toHaveLength(1);
  });

  it('without a model, copies whole sentences that carry facts and invents nothing', async () => {
    const messages = [
      ...conversation(),
      new HumanMessage({ content: 'Acme accepted the proposal. Lovely weather today.', id: 'web:x' }),
      new AIMessage({ content: 'Recorded: Acme Corp accepted "5-day workshop" (40 h at 150.00 EUR/h) [prop_abc123def].', id: 'ai:x' }),
    ];
    const lines = await extractiveSummarizer(messages, ['Acme Corp']);
    expect(lines).toEqual([
      `Operator: ${FACT}`,
      `Keel: Noted: ${FACT}.`,
      'Operator: Acme accepted the proposal.',
      'Keel: Recorded: Acme Corp accepted "5-day workshop" (40 h at 150.00 EUR/h) [prop_abc123def].',
    ]);
    const said = messages.map((m) => String(m.content));
    for (const line of lines) expect(said.some((text) => text.includes(line.replace(/^(?:Operator|Keel): /, '')))).toBe(true);
  });
});
