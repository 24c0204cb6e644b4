import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { LibSQLSaver, OPERATOR_THREAD } from '../../src/graph/index.js';
import { tempDatabase } from '../support/db.js';
import { startKeel, textIn, type TestKeel } from '../support/keel.js';

const TURNS = 2000;
/** COMPACT_AFTER_MESSAGES (40) plus the one turn (2 messages) that crosses it. */
const MAX_MESSAGES = 42;
/** 42 short messages and a rolling summary capped at 2,000 characters, serialised. */
const MAX_STATE_BYTES = 48 * 1024;
const filler = ['status', "what's overdue?", 'show invoices', 'hi'];

describe('compaction of a long conversation', () => {
  let db: ReturnType<typeof tempDatabase>;
  let keel: TestKeel;
  const clock = new ManualClock('2026-02-02T09:00:00Z');
  const measured: { messages: number; bytes: number }[] = [];

  const checkpointed = async () => {
    const tuple = await new LibSQLSaver(keel.storage.client).getTuple({ configurable: { thread_id: OPERATOR_THREAD } });
    const values = tuple!.checkpoint.channel_values as { messages: unknown[] };
    return { messages: values.messages.length, bytes: Buffer.byteLength(JSON.stringify(values)) };
  };

  beforeAll(async () => {
    db = tempDatabase();
    keel = await startKeel({ url: db.url, clock });
    await keel.say('Dana said the Q3 budget is 12,000 EUR and the kickoff is on 3 March');
    for (let turn = 1; turn < TURNS; turn += 1) {
      await keel.say(filler[turn % filler.length]!);
      clock.advance(60_000);
      if (turn % 50 === 0) measured.push(await checkpointed());
    }
  }, 900_000);
  afterAll(() => {
    keel.close();
    db.remove();
  });

  it(`keeps the checkpointed state under a fixed bound over ${TURNS} turns`, () => {
    const most = { messages: Math.max(...measured.map((m) => m.messages)), bytes: Math.max(...measured.map((m) => m.bytes)) };
    console.info(`compaction: after ${TURNS} turns the checkpointed state peaked at ${most.messages} messages, ${most.bytes} bytes`);
    expect(most.messages).toBeLessThanOrEqual(MAX_MESSAGES);
    expect(most.bytes).toBeLessThanOrEqual(MAX_STATE_BYTES);
  });

  it('loses nothing: the transcript keeps every message verbatim', async () => {
    expect(await keel.count('transcript')).toBeGreaterThanOrEqual(2 * TURNS);
    const first = await keel.storage.client.execute('SELECT body FROM transcript ORDER BY id LIMIT 1');
    expect(String(first.rows[0]!.body)).toContain('12,000 EUR');
  });

  it('still answers about a fact from the first turn, from the durable summary', async () => {
    const reply = textIn((await keel.say('what do we know about the Q3 budget?')).replies);
    expect(reply).toContain('Q3 budget is 12,000 EUR and the kickoff is on 3 March');
    expect(reply).toMatch(/\[sum_[0-9a-f]{24}\]/);
  });
});
