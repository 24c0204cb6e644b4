import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeel, type Keel } from '../../src/app.js';
import { loadConfig, secretSettings } from '../../src/config.js';
import { ManualClock } from '../../src/core/clock.js';
import { createRedactor, silentLogger } from '../../src/core/logger.js';
import { WEB_SENDER } from '../../src/bots/web/index.js';
import { nodePlatform } from '../../src/platform/node.js';
import { workersNotices } from '../../src/platform/workers-settings.js';
import { otlpTracing } from '../../src/platform/tracing.node.js';
import { TEST_BUSINESS, tempDatabase } from '../support/db.js';
import { withBillingAddress } from '../support/keel.js';
import type { HandleResult } from '../../src/graph/index.js';

type Value = { stringValue?: string; intValue?: number | string; boolValue?: boolean; doubleValue?: number };
interface WireSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes?: { key: string; value: Value }[];
}
interface Span {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  attributes: Record<string, string | number | boolean | undefined>;
}

/**
 * A stand-in OTLP/HTTP receiver on 127.0.0.1: no collector can run here, so this decodes what the SDK's
 * exporter posts (OTLP JSON on /v1/traces) the way a collector would, and keeps the raw bodies too.
 */
async function otlpReceiver() {
  const spans: Span[] = [];
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      expect(req.url).toBe('/v1/traces');
      expect(req.headers['content-type']).toMatch(/application\/json/);
      bodies.push(body);
      const decoded = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: WireSpan[] }[] }[] };
      for (const wire of decoded.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans))) {
        spans.push({
          traceId: wire.traceId,
          spanId: wire.spanId,
          parentSpanId: wire.parentSpanId || undefined,
          name: wire.name,
          attributes: Object.fromEntries(
            (wire.attributes ?? []).map(({ key, value }) => [
              key,
              value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : (value.boolValue ?? value.doubleValue)),
            ]),
          ),
        });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { endpoint: `http://127.0.0.1:${port}`, spans, bodies, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const WEB_CHAT_TOKEN = 'web-chat-token-s3cr3t-7f1e';

describe('traces over OTLP/HTTP', () => {
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function tracedKeel(includeContent: boolean) {
    const receiver = await otlpReceiver();
    cleanup.push(receiver.close);
    const db = tempDatabase();
    cleanup.push(() => db.remove());
    const folder = dirname(fileURLToPath(db.url));
    const config = loadConfig({
      DATABASE_URL: db.url,
      FILES_DIR: join(folder, 'files'),
      OUTBOX_DIR: join(folder, 'outbox'),
      BUSINESS_PROFILE: TEST_BUSINESS,
      WEB_CHAT_TOKEN,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_INCLUDE_CONTENT: String(includeContent),
    });
    const tracing = otlpTracing({
      endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT!,
      includeContent: config.OTEL_INCLUDE_CONTENT,
      redact: createRedactor(secretSettings.map((k) => config[k])),
    });
    const keel: Keel = await createKeel({
      config,
      platform: nodePlatform,
      clock: new ManualClock('2026-11-02T09:00:00Z'),
      logger: silentLogger,
      tracer: tracing.tracer,
    });
    cleanup.push(() => keel.close());
    let n = 0;
    const send = (payload: unknown) => {
      const eventId = `evt-${++n}`;
      return keel.conversation
        .handle({ transport: 'web', sender: WEB_SENDER, chat: 'web', eventId, payload })
        .then((result: HandleResult) => ({ result, turn: `web:${eventId}` }));
    };
    return { keel, receiver, send, flush: tracing.shutdown };
  }

  it('makes each turn a trace whose spans carry the ledger’s and the audit trail’s ids, and no message content', async () => {
    const { keel, receiver, send, flush } = await tracedKeel(false);
    await send({ kind: 'text', text: 'Add Acme Corp as a client, contact dana@acme.test' });
    await withBillingAddress(keel, 'Acme Corp');
    const asked = await send({ kind: 'text', text: 'Invoice Acme 10 hours at 150 EUR for October consulting' });
    const card = asked.result.replies.flatMap((r) => (r.kind === 'card' ? [r.card] : []))[0]!;
    expect(card).toBeDefined();
    const approved = await send({ kind: 'decision', ref: card.ref, decision: 'approve' });
    await send({ kind: 'text', text: 'what do we know about Acme?' });
    await flush();

    const { spans } = receiver;
    const roots = spans.filter((s) => s.name === 'keel.turn');
    expect(roots.every((s) => s.parentSpanId === undefined)).toBe(true);
    const rootOf = (turn: string) => roots.find((s) => s.attributes['keel.inbound.id'] === turn)!;
    const inTrace = (root: Span) => spans.filter((s) => s.traceId === root.traceId);
    expect(roots.map((s) => s.attributes['keel.inbound.id'])).toEqual(expect.arrayContaining([asked.turn, approved.turn]));

    // The request's trace: graph nodes and model calls under the turn's root span.
    const request = inTrace(rootOf(asked.turn));
    expect(request.map((s) => s.name)).toEqual(
      expect.arrayContaining(['graph intake', 'graph coordinator', 'graph finance', 'model.call', 'memory.recall', 'kernel.propose', 'graph settle']),
    );
    const ids = new Set(request.map((s) => s.spanId));
    expect(request.filter((s) => s !== rootOf(asked.turn)).every((s) => s.parentSpanId && ids.has(s.parentSpanId))).toBe(true);

    const [action] = await keel.kernel.list({ turns: [asked.turn] });
    expect(request.find((s) => s.name === 'kernel.propose')?.attributes).toMatchObject({
      'keel.action.id': action!.id,
      'keel.action.state': 'awaiting_approval',
      'keel.turn.id': asked.turn,
    });

    // The approval's trace: the kernel runs the action and calls its connector, under the action id the ledger and audit trail use.
    expect((await keel.kernel.get(action!.id))?.state).toBe('succeeded');
    const approval = inTrace(rootOf(approved.turn));
    const run = approval.find((s) => s.name === 'kernel.run')!;
    expect(run.attributes).toMatchObject({
      'keel.action.id': action!.id,
      'keel.action.key': action!.idempotencyKey,
      'keel.action.state': 'succeeded',
      'keel.action.retries': 0,
      'keel.turn.id': asked.turn,
    });
    const connector = approval.find((s) => s.name === `connector ${action!.operation}`)!;
    expect(connector.parentSpanId).toBe(run.spanId);
    expect(connector.attributes).toMatchObject({ 'keel.action.id': action!.id, 'keel.connector.attempt': 1 });
    const trail = await keel.kernel.trail(action!.id);
    expect(trail.map((e) => e.event)).toEqual(expect.arrayContaining(['running', 'succeeded']));

    // Recall answers "what do we know" and names what it found by id only.
    const recall = spans.find((s) => s.name === 'memory.recall' && Number(s.attributes['keel.recall.hits']) > 0)!;
    expect(recall).toBeDefined();
    expect(recall.attributes['keel.recall.query']).toBeUndefined();

    const everything = receiver.bodies.join('\n');
    expect(everything).not.toContain('October consulting');
    expect(everything).not.toContain('dana@acme.test');
    expect(everything).not.toContain(WEB_CHAT_TOKEN);
  });

  it('loads no OpenTelemetry code unless OTEL_EXPORTER_OTLP_ENDPOINT is set: the Node entry imports it on demand, and nothing else does', () => {
    const main = readFileSync(new URL('../../src/main.ts', import.meta.url), 'utf8');
    expect(main).not.toMatch(/^import [^;]*tracing\.node/m);
    expect(main).toMatch(/config\.OTEL_EXPORTER_OTLP_ENDPOINT\s*\?\s*\(await import\('\.\/platform\/tracing\.node\.js'\)\)/);
    expect(loadConfig({}).OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT.*full URL of an OTLP\/HTTP receiver/);
    expect(() => loadConfig({ OTEL_INCLUDE_CONTENT: 'yes' })).toThrow(/OTEL_INCLUDE_CONTENT.*true or false/);
    // A Worker has no exporter: it says so at start-up rather than drop traces unannounced.
    const worker = loadConfig({
      DATABASE_URL: 'libsql://keel.example.test',
      WEB_CHAT_TOKEN,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector.example.test:4318',
    });
    expect(workersNotices(worker).join('\n')).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT is set but no traces are sent from Workers/);
  });

  it('puts message text in the spans only with OTEL_INCLUDE_CONTENT=true, and scrubs secrets from it', async () => {
    const { receiver, send, flush } = await tracedKeel(true);
    const said = await send({ kind: 'text', text: `what do we know about Acme? my token is ${WEB_CHAT_TOKEN}` });
    await flush();
    const root = receiver.spans.find((s) => s.name === 'keel.turn' && s.attributes['keel.inbound.id'] === said.turn)!;
    expect(root.attributes['keel.inbound.text']).toBe('what do we know about Acme? my token is «redacted»');
    expect(receiver.bodies.join('\n')).not.toContain(WEB_CHAT_TOKEN);
  });
});
