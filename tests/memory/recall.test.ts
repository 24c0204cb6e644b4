import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { ManualClock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { scopes } from '../../src/agents/scopes.js';
import { createMemory, hashedNgramEmbedder, type Memory } from '../../src/memory/index.js';
import { resolveClient } from '../../src/records/index.js';
import { clients, invoices, notes } from '../../src/records/index.js';
import type { Storage } from '../../src/storage/index.js';
import { tempDatabase } from '../support/db.js';
import { startKeel, textIn } from '../support/keel.js';

const clock = new ManualClock('2026-03-02T09:00:00Z');
const at = clock.now();
const settings = { compaction: { after: 40, keep: 10, maxSummaryChars: 2000 }, indexIntervalMs: 60_000 };

async function seed(storage: Storage) {
  const { db } = storage;
  // Written straight to the tables, as a connector would: the triggers queue them, no hook tells memory.
  await db.insert(clients).values([
    { id: 'cli_acme', name: 'Acme Corp', contactName: 'Dana', email: 'dana@acme.test', createdAt: at, updatedAt: at },
    { id: 'cli_beta', name: 'Beta GmbH', contactName: 'Lee Park', email: 'lee@beta.test', createdAt: at, updatedAt: at },
  ]);
  const invoice = (n: number, client: string, description: string) => ({
    id: `inv_${n}`,
    number: `2026-000${n}`,
    year: 2026,
    seq: n,
    clientId: client,
    description,
    hoursCenti: 1000,
    rateMinor: 15000,
    currency: 'EUR',
    totalMinor: 150000,
    status: 'sent' as const,
    issuedAt: at,
    dueAt: at,
    idempotencyKey: `k${n}`,
  });
  await db.insert(invoices).values([invoice(3, 'cli_acme', 'October consulting'), invoice(4, 'cli_beta', 'Onboarding workshop')]);
  await db.insert(notes).values([
    { id: 'note_fridays', clientId: 'cli_acme', kind: 'note', text: 'Dana prefers phone calls on Fridays', createdAt: at },
    { id: 'note_budget', clientId: null, kind: 'note', text: 'Beta has a training budget for spring', createdAt: at },
    { id: 'post_pricing', clientId: null, kind: 'post', text: '[linkedin] Pricing workshops by the day', createdAt: at },
  ]);
}

describe('hybrid recall', () => {
  let db: ReturnType<typeof tempDatabase>;
  let storage: Storage;
  let memory: Memory;

  beforeEach(async () => {
    db = tempDatabase();
    storage = await db.open();
    await seed(storage);
    memory = createMemory({ db: storage.db, client: storage.client, clock, logger: silentLogger, embedder: hashedNgramEmbedder, ...settings });
  });
  afterEach(() => {
    storage.close();
    db.remove();
  });

  const all = ['client', 'note', 'proposal', 'invoice', 'meeting', 'email', 'summary', 'post'] as const;

  it('finds exact invoice numbers and email addresses through FTS5', async () => {
    const [invoice] = await memory.recall({ text: 'invoice 2026-0004', kinds: all });
    expect(invoice).toMatchObject({ id: 'inv_4', kind: 'invoice' });
    expect(invoice!.via).toContain('fts');
    const [client] = await memory.recall({ text: 'lee@beta.test', kinds: all });
    expect(client).toMatchObject({ id: 'cli_beta', kind: 'client' });
    expect(client!.via).toContain('fts');
  });

  it('finds a paraphrase that shares no whole word with the memory through vectors', async () => {
    const hits = await memory.recall({ text: 'call preferences friday', kinds: ['note'] });
    expect(hits[0]).toMatchObject({ id: 'note_fridays' });
    expect(hits[0]!.via).toEqual(['vector']);
  });

  it('gathers what belongs to a client the query names, with ids to cite', async () => {
    const hits = await memory.recall({ text: 'what do we know about Acme', kinds: all });
    expect(hits.map((h) => h.id)).toEqual(expect.arrayContaining(['cli_acme', 'inv_3', 'note_fridays']));
    expect(hits.map((h) => h.id)).not.toContain('inv_4');
  });

  it('never returns a memory outside the asking agent’s scope', async () => {
    for (const [agent, scope] of Object.entries(scopes)) {
      for (const query of ['2026-0003', 'Acme Corp', 'dana@acme.test', 'pricing workshops', 'budget']) {
        const hits = await memory.recall({ text: query, kinds: scope.memory });
        for (const hit of hits) expect(scope.memory, `${agent} asked "${query}" and got ${hit.id}`).toContain(hit.kind);
      }
    }
    expect(await memory.recall({ text: '2026-0003', kinds: scopes.marketing.memory })).toEqual([]);
  });

  it('picks up changed and deleted records on the next recall, without hooks', async () => {
    await storage.db.update(invoices).set({ status: 'paid', paidAt: at }).where(eq(invoices.id, 'inv_3'));
    await storage.db.delete(notes).where(eq(notes.id, 'note_budget'));
    const [invoice] = await memory.recall({ text: '2026-0003', kinds: ['invoice'] });
    expect(invoice!.text).toContain('paid 2026-03-02');
    expect((await memory.recall({ text: 'training budget', kinds: ['note'] })).map((h) => h.id)).not.toContain('note_budget');
  });

  it('moves every vector to a new embedder in the background, recall working throughout', async () => {
    await memory.sync();
    const next = createMemory({
      db: storage.db,
      client: storage.client,
      clock,
      logger: silentLogger,
      embedder: { ...hashedNgramEmbedder, id: 'hashed-ngram-test' },
      ...settings,
    });
    // Before re-embedding, FTS still answers.
    expect((await next.recall({ text: '2026-0003', kinds: ['invoice'] }))[0]?.id).toBe('inv_3');
    expect(await next.reembed()).toBe(7);
    const embedders = await storage.client.execute('SELECT DISTINCT embedder FROM memory_docs');
    expect(embedders.rows.map((r) => r.embedder)).toEqual(['hashed-ngram-test']);
    const tables = await storage.client.execute(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'memory_vectors_%' AND name NOT LIKE '%shadow'",
    );
    expect(tables.rows.map((r) => r.name)).toEqual(['memory_vectors_hashed_ngram_test']);
    expect((await next.recall({ text: 'call preferences friday', kinds: ['note'] }))[0]?.id).toBe('note_fridays');
  });

  it('finds by vector what another process indexed after this one loaded its vectors, and forgets what it deleted', async () => {
    // Two memories on one database stand for two Keel processes, each with its own in-memory copy of the vectors.
    const other = createMemory({ db: storage.db, client: storage.client, clock, logger: silentLogger, embedder: hashedNgramEmbedder, ...settings });
    expect((await memory.recall({ text: 'call preferences friday', kinds: ['note'] }))[0]?.id).toBe('note_fridays');
    await storage.db
      .insert(notes)
      .values({ id: 'note_mornings', clientId: null, kind: 'note', text: 'Gamma wants meetings on Tuesday mornings', createdAt: at });
    await storage.db.delete(notes).where(eq(notes.id, 'note_fridays'));
    await other.sync();
    const hits = await memory.recall({ text: 'meeting tuesday morning', kinds: ['note'] });
    expect(hits[0]).toMatchObject({ id: 'note_mornings' });
    expect(hits[0]!.via).toContain('vector');
    expect((await memory.recall({ text: 'call preferences friday', kinds: ['note'] })).map((h) => h.id)).not.toContain('note_fridays');
  });

  it('upgrades a vector table made by an earlier version, which kept a DiskANN index and no write order', async () => {
    await storage.client.batch(
      [
        'CREATE TABLE memory_vectors_hashed_ngram_v1 (seq INTEGER PRIMARY KEY, embedding F32_BLOB(256) NOT NULL)',
        "CREATE INDEX memory_vectors_hashed_ngram_v1_idx ON memory_vectors_hashed_ngram_v1 (libsql_vector_idx(embedding, 'metric=cosine'))",
      ],
      'write',
    );
    const hits = await memory.recall({ text: 'call preferences friday', kinds: ['note'] });
    expect(hits[0]).toMatchObject({ id: 'note_fridays', via: ['vector'] });
    const indexes = await storage.client.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'memory_vectors_hashed_ngram_v1'");
    expect(indexes.rows.map((r) => r.name)).toEqual(['memory_vectors_hashed_ngram_v1_rev']);
  });
});

describe('changing the embedder', () => {
  it('re-indexes in the background while recall keeps answering, and a record changed meanwhile keeps its new vector', async () => {
    const db = tempDatabase();
    const storage = await db.open();
    try {
      await seed(storage);
      const before = createMemory({ db: storage.db, client: storage.client, clock, logger: silentLogger, embedder: hashedNgramEmbedder, ...settings });
      await before.sync();
      // A slow model endpoint: batches of documents wait until released; a single query or a fresh record passes.
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const next = { ...hashedNgramEmbedder, id: 'hashed-ngram-slow' };
      const slow = { ...next, embed: async (texts: string[]) => (texts.length > 1 && (await gate), hashedNgramEmbedder.embed(texts)) };
      const memory = createMemory({ db: storage.db, client: storage.client, clock, logger: silentLogger, embedder: slow, ...settings });
      let finished = false;
      const reembedding = memory.reembed().then((n) => ((finished = true), n));

      // Chat's recall is answered while the batch waits on the embedder: exact words through FTS, a client's records by name.
      expect((await memory.recall({ text: '2026-0003', kinds: ['invoice'] }))[0]?.id).toBe('inv_3');
      expect((await memory.recall({ text: 'what do we know about Acme', kinds: ['client', 'note'] })).map((h) => h.id)).toEqual(
        expect.arrayContaining(['cli_acme', 'note_fridays']),
      );
      // A record written now is indexed with the new embedder at once.
      await storage.db.insert(notes).values({ id: 'note_new', clientId: 'cli_beta', kind: 'note', text: 'Lee wants invoices in English', createdAt: at });
      await storage.db.update(invoices).set({ status: 'paid', paidAt: at }).where(eq(invoices.id, 'inv_3'));
      expect((await memory.recall({ text: 'invoices in English', kinds: ['note'] }))[0]?.id).toBe('note_new');
      expect(finished).toBe(false);

      release();
      expect(await reembedding).toBe(7);
      const rows = await storage.client.execute('SELECT source_id, embedder, text, seq FROM memory_docs');
      expect(new Set(rows.rows.map((r) => r.embedder))).toEqual(new Set(['hashed-ngram-slow']));
      // The invoice changed while its old text was being embedded: its vector is the new text's, not the stale one.
      const invoice = rows.rows.find((r) => r.source_id === 'inv_3')!;
      expect(String(invoice.text)).toContain('paid 2026-03-02');
      const stored = await storage.client.execute({ sql: 'SELECT embedding FROM memory_vectors_hashed_ngram_slow WHERE seq = ?', args: [Number(invoice.seq)] });
      const vector = new Float32Array(stored.rows[0]!.embedding as ArrayBuffer);
      const [expected] = await hashedNgramEmbedder.embed([String(invoice.text)]);
      expect(Array.from(vector)).toEqual(Array.from(expected!));
      const tables = await storage.client.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'memory_vectors_%' AND name NOT LIKE '%shadow'",
      );
      expect(tables.rows.map((r) => r.name)).toEqual(['memory_vectors_hashed_ngram_slow']);
    } finally {
      storage.close();
      db.remove();
    }
  });
});

describe('one identity per client', () => {
  it('resolves a first name, an address, a company name and a linked Telegram user to one client, and asks when unsure', async () => {
    const db = tempDatabase();
    const keel = await startKeel({ url: db.url, clock });
    try {
      await keel.say('Add Acme Corp as a client, contact dana@acme.test');
      const [acme] = await keel.storage.db.select().from(clients);
      const linked = await keel.kernel.execute({
        operation: 'memory.link_identity',
        input: { clientId: acme!.id, kind: 'telegram', value: 'telegram:4242' },
        idempotencyKey: 'test:link',
        agent: 'operator',
        reason: 'Dana writes from Telegram.',
      });
      expect(linked.state).toBe('succeeded');
      for (const name of ['Dana', 'dana@acme.test', 'Acme', 'acme corp', 'telegram:4242']) {
        expect(await resolveClient(keel.storage.db, name)).toMatchObject({ status: 'found', client: { id: acme!.id } });
      }
      await keel.say('Add Dana Design as a client, contact dana@design.test');
      expect(await resolveClient(keel.storage.db, 'Dana')).toMatchObject({ status: 'ambiguous' });
      expect(textIn((await keel.say('who is Dana?')).replies)).toMatch(/could mean .*Acme Corp.*Dana Design/);
      expect(textIn((await keel.say('what do we know about Acme?')).replies)).toContain(`[${acme!.id}]`);
    } finally {
      keel.close();
      db.remove();
    }
  });
});
