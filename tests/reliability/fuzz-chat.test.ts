import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDatabase } from '../support/db.js';
import { startKeel, type TestKeel } from '../support/keel.js';

/**
 * Fuzzed chat messages (fast-check) through the whole conversation — inbox,
 * commands, the real LangGraph graph, the offline model, the kernel and the
 * checkpointer: random unicode, long strings, command-like strings, numbers,
 * emails and near-misses of real requests. Every message gets an answer, and
 * none makes the graph throw.
 */

const words = [
  'invoice',
  'Acme',
  'hours',
  'at',
  'EUR',
  'client',
  'add',
  'book',
  'call',
  'tomorrow',
  'paid',
  'draft',
  'follow-up',
  'remind',
  'note',
  'overdue',
  '2026-0001',
  '€',
  '150',
  'Dana',
];
const message = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }),
  fc.string({ minLength: 3000, maxLength: 4000 }),
  fc
    .tuple(
      fc.constantFrom('/pending', '/why', '/undo', '/digest', '/history', '/rewind', '/help', '/start', '/status', '/nope', '/'),
      fc.string({ maxLength: 40 }),
    )
    .map(([c, a]) => `${c} ${a}`),
  fc.oneof(fc.integer(), fc.double(), fc.bigInt()).map(String),
  fc.emailAddress(),
  fc.constantFrom(' ', '\n\t ', '\u200b', 'x'.repeat(4001)),
  fc
    .array(fc.oneof(fc.constantFrom(...words), fc.integer({ min: -5, max: 100_000 }).map(String), fc.emailAddress()), { minLength: 1, maxLength: 12 })
    .map((w) => w.join(' ')),
);

describe('fuzzed chat messages to the offline model', () => {
  const db = tempDatabase('keel-fuzz-');
  let keel: TestKeel;
  beforeAll(async () => {
    keel = await startKeel({ url: db.url });
    await keel.say('Add Acme Corp as a client, contact dana@acme.test');
  });
  afterAll(() => {
    keel.close();
    db.remove();
  });

  it('answers every message and never crashes the graph', async () => {
    const seen = { messages: 0, handled: 0, invalid: 0, cards: 0 };
    await fc.assert(
      fc.asyncProperty(message, async (text) => {
        const result = await keel.say(text);
        seen.messages++;
        if (result.status === 'handled') seen.handled++;
        if (result.status === 'invalid') seen.invalid++;
        seen.cards += result.replies.filter((r) => r.kind === 'card').length;
        // Blank or over-long text is refused with a reason; everything else is handled with at least one reply.
        expect(['handled', 'invalid']).toContain(result.status);
        expect(result.replies.length).toBeGreaterThan(0);
        for (const reply of result.replies) if (reply.kind === 'text') expect(reply.text.trim()).not.toBe('');
      }),
      { numRuns: 50 },
    );
    // The thread is still usable afterwards.
    const after = await keel.say('what is overdue?');
    expect(after.status).toBe('handled');
    console.log(
      `fuzzed chat: ${seen.messages} random messages, ${seen.handled} handled, ${seen.invalid} refused as empty or too long, ${seen.cards} cards raised, 0 crashes`,
    );
  }, 180_000);
});
