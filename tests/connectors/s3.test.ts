import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import S3rver from 's3rver';
import { AwsClient } from 'aws4fetch';
import { storedFiles } from '../../src/connectors/files/index.js';
import { s3Store, type S3Settings } from '../../src/connectors/files/s3.js';
import { connectorKernel, type ConnectorKernel } from './support.js';

/**
 * Files on a real S3-compatible server: s3rver (npm) serves the S3 REST API
 * on localhost from a temp folder, and the store signs every request with
 * SigV4 (aws4fetch over fetch), exactly as it would for S3, R2 or MinIO.
 */
async function startS3() {
  const directory = mkdtempSync(join(tmpdir(), 'keel-s3-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: 'keel-files', configs: [] }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const settings: S3Settings = { endpoint, bucket: 'keel-files', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', region: 'us-east-1' };
  const aws = new AwsClient({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', region: 'us-east-1', service: 's3' });
  return {
    settings,
    /** The object's status straight from the server, not through Keel. */
    status: async (sha256: string) => (await aws.fetch(`${endpoint}/keel-files/${sha256.slice(0, 2)}/${sha256}`, { method: 'HEAD' })).status,
    async close() {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

let env: ConnectorKernel | undefined;
let s3: Awaited<ReturnType<typeof startS3>> | undefined;
afterEach(async () => {
  env?.cleanup();
  await s3?.close();
  env = undefined;
  s3 = undefined;
});

const file = (text: string, name = 'notes.txt') => ({ name, contentType: 'text/plain', contentBase64: Buffer.from(text).toString('base64') });
const HELLO = '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';

describe('files on S3-compatible storage', () => {
  it('stores content under its SHA-256 in the bucket, once per key and once per content, and reads it back', async () => {
    s3 = await startS3();
    env = await connectorKernel({ s3: s3.settings });
    const put = await env.act('files.put', file('hello'), 'file:1');
    expect(put).toMatchObject({ state: 'succeeded', result: { sha256: HELLO, size: 5 } });
    expect(await s3.status(HELLO)).toBe(200);
    expect((await env.act('files.put', file('hello'), 'file:1')).id).toBe(put.id);
    await env.act('files.put', file('hello', 'copy.txt'), 'file:2');
    expect(await env.db.select().from(storedFiles)).toHaveLength(2);
    expect(new TextDecoder().decode(await s3Store(s3.settings).get(HELLO))).toBe('hello');
    // Invoice PDFs go through the same store.
    const clientId = await env.addClient('Acme Corp', 'dana@acme.test');
    const invoice = await env.act('invoices.issue', { clientId, description: 'Consulting', hoursCenti: 1000, rateMinor: 15000, currency: 'EUR' }, 'inv:1');
    expect(invoice.state).toBe('succeeded');
    const pdf = (await env.db.select().from(storedFiles)).find((f) => f.contentType === 'application/pdf')!;
    expect(await s3.status(pdf.sha256)).toBe(200);
  });

  it('retries when the service is briefly unavailable (503) and stores the file once', async () => {
    s3 = await startS3();
    let failures = 1;
    const flaky: typeof fetch = async (input, init) => {
      if (failures-- > 0) return new Response('<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>', { status: 503 });
      return fetch(input, init);
    };
    env = await connectorKernel({ s3: { ...s3.settings, fetch: flaky } });
    const put = await env.act('files.put', file('hello'), 'file:1');
    expect(put).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect(await s3.status(HELLO)).toBe(200);
  });

  it('fails with a clear error when the bucket does not exist', async () => {
    s3 = await startS3();
    env = await connectorKernel({ s3: { ...s3.settings, bucket: 'no-such-bucket' } });
    const put = await env.act('files.put', file('hello'), 'file:1');
    expect(put).toMatchObject({ state: 'failed' });
    expect(put.error).toMatch(/bucket no-such-bucket at 127\.0\.0\.1:\d+ does not exist; check S3_BUCKET/);
    expect(await env.db.select().from(storedFiles)).toHaveLength(0);
  });

  it('undo deletes the object once no file names it', async () => {
    s3 = await startS3();
    env = await connectorKernel({ s3: s3.settings });
    const put = await env.act('files.put', file('hello'), 'file:1');
    const undo = await env.undo(put.id);
    expect(undo).toMatchObject({ state: 'succeeded', operation: 'files.delete' });
    expect(await s3.status(HELLO)).toBe(404);
  });

  it('reconciles after a crash: done from the row; an object without its row is "not done" and the re-run stores it once', async () => {
    s3 = await startS3();
    env = await connectorKernel({ s3: s3.settings });
    const done = await env.act('files.put', file('one'), 'file:done');
    await env.strandAfterRun(done.id);
    const notDone = await env.strandBeforeRun('files.put', file('hello'), 'file:not');
    await s3Store(s3.settings).put(new TextEncoder().encode('hello'));
    expect(await env.kernel.reconcile()).toEqual({ reconciled: 1, needsAttention: 0, rerun: 1, restoredEntries: 0 });
    expect(await env.kernel.get(notDone.id)).toMatchObject({ state: 'succeeded', result: { sha256: HELLO } });
    expect(await env.db.select().from(storedFiles)).toHaveLength(2);
  });
});
