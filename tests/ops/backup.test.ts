import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDatabase } from '../support/db.js';
import { runUntil, kill } from '../support/child.js';
import { cardsIn, startKeel, textIn, type TestKeel, withBillingAddress } from '../support/keel.js';
import S3rver from 's3rver';
import { AwsClient } from 'aws4fetch';
import { tmpdir } from 'node:os';
import { ManualClock } from '../../src/core/clock.js';
import { projectRoot, runScript } from './support.js';

const temps: ReturnType<typeof tempDatabase>[] = [];
const fresh = () => {
  const db = tempDatabase('keel-backup-');
  temps.push(db);
  return db;
};
afterEach(() => {
  for (const db of temps.splice(0)) db.remove();
});

/** A database on which Keel has added one client, with no Keel running on it. */
async function databaseWithAcme() {
  const db = fresh();
  const keel = await startKeel({ url: db.url });
  await keel.say('Add Acme Corp as a client, contact dana@acme.test');
  await withBillingAddress(keel, 'Acme Corp');
  keel.close();
  return db;
}

const rows = async (keel: TestKeel, sql: string) => (await keel.storage.client.execute(sql)).rows;

/** Invoices asked for and approved one after another until told to stop; `acknowledged` holds each number once Keel has answered "Done". */
function invoiceLoad(keel: TestKeel) {
  const acknowledged: string[] = [];
  let stop = false;
  const done = (async () => {
    for (let i = 1; !stop; i++) {
      const [card] = cardsIn((await keel.say(`Invoice Acme ${i} hours at 100 EUR for task ${i}`)).replies);
      const answer = textIn((await keel.tap(card!.ref)).replies);
      const number = /invoice (\d{4}-\d{4})/.exec(answer)?.[1];
      if (!number) throw new Error(`no invoice in the answer: ${answer}`);
      acknowledged.push(number);
    }
  })();
  return {
    acknowledged,
    stop: async () => {
      stop = true;
      return await done;
    },
  };
}

describe('backups and restore', () => {
  it('backs up during a write load; the restore has every acknowledged invoice, file and e-mail, and resumes a pending card once', async () => {
    const live = fresh();
    const keel = await startKeel({ url: live.url });
    await keel.say('Add Acme Corp as a client, contact dana@acme.test');
    await withBillingAddress(keel, 'Acme Corp');
    const [pending] = cardsIn((await keel.say('Invoice Acme 7 hours at 120 EUR for the pending workshop')).replies);
    // Recall indexes memory into libSQL's vector index, which the backup must carry whole.
    await keel.say('what do we know about Acme?');

    const load = invoiceLoad(keel);
    while (load.acknowledged.length < 3) await new Promise((r) => setTimeout(r, 50));
    const before = [...load.acknowledged];
    const backup = await runScript('backup', [], { ...live.env, BACKUP_KEEP: '2' });
    const during = load.acknowledged.length;
    await load.stop();
    // The load really ran while the backup was taken.
    expect(load.acknowledged.length).toBeGreaterThan(before.length);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    const file = /Backup written: (\S+)/.exec(backup.stdout)![1]!;
    expect(file.startsWith(join(live.dir, 'backups'))).toBe(true);
    keel.close();

    const target = fresh();
    const restore = await runScript('restore', [file], target.env);
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(/^Restored .* with \d+ files\. Start Keel with npm start\.$/m);

    const restored = await startKeel({ url: target.url });
    await restored.recover();
    const numbers = (await rows(restored, 'SELECT number FROM invoices')).map((r) => String(r.number));
    for (const number of before) expect(numbers).toContain(number);
    // Whatever the snapshot holds is whole: never more than was acknowledged by the time the backup finished, plus the one in flight.
    expect(numbers.length).toBeLessThanOrEqual(during + 1);
    for (const row of await rows(restored, 'SELECT sha256 FROM files')) {
      const sha = String(row.sha256);
      const bytes = readFileSync(join(target.dir, 'files', sha.slice(0, 2), sha));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha);
    }
    expect(Number((await rows(restored, 'SELECT count(*) AS n FROM files'))[0]!.n)).toBeGreaterThanOrEqual(before.length);
    const emails = (await rows(restored, "SELECT message_id FROM outbox_emails WHERE status = 'sent'")).map((r) => String(r.message_id));
    expect(emails.length).toBeGreaterThanOrEqual(before.length);
    const eml = readdirSync(join(target.dir, 'outbox'));
    for (const id of emails) expect(eml).toContain(`${id.replace(/^<|>$/g, '').replace(/[^\w.@-]/g, '_')}.eml`);
    // The backup's own tables are gone from the restored database, which passes SQLite's check, vector index included.
    expect(await rows(restored, "SELECT name FROM sqlite_master WHERE name LIKE 'keel_backup%'")).toEqual([]);
    expect((await rows(restored, 'PRAGMA integrity_check')).map((r) => r[0])).toEqual(['ok']);
    const vectors = Number((await rows(restored, 'SELECT count(*) AS n FROM memory_vectors_hashed_ngram_v1'))[0]!.n);
    expect(vectors).toBeGreaterThan(0);
    // Recall scans the vectors in process (src/memory/vectors.ts): each one must still belong to its indexed document.
    const found = await rows(
      restored,
      "SELECT count(*) AS n FROM memory_vectors_hashed_ngram_v1 AS v JOIN memory_docs AS d ON d.seq = v.seq WHERE d.embedder = 'hashed-ngram-v1'",
    );
    expect(Number(found[0]!.n)).toBe(vectors);

    const invoicesBefore = numbers.length;
    expect(textIn((await restored.tap(pending!.ref)).replies)).toMatch(/invoice \d{4}-\d{4}, 840\.00 EUR/);
    expect(textIn((await restored.tap(pending!.ref)).replies)).toMatch(/Already approved/);
    expect(await restored.count('invoices')).toBe(invoicesBefore + 1);
    restored.close();
  });

  it('keeps BACKUP_KEEP backups, and restore refuses a running Keel and a damaged backup, leaving the database as it was', async () => {
    const live = await databaseWithAcme();
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      const run = await runScript('backup', [], { ...live.env, BACKUP_KEEP: '2' });
      expect(run.code).toBe(0);
      made.push(/Backup written: (\S+)/.exec(run.stdout)![1]!);
    }
    expect(readdirSync(join(live.dir, 'backups')).sort()).toEqual(made.slice(1).map((p) => p.split('/').at(-1)));

    // A real `npm start` on the target database holds it.
    const target = fresh();
    const { child } = await runUntil(join(projectRoot, 'src/main.ts'), [], /Keel is running/, { env: { ...target.env, PORT: '0', DIGEST_TIME: 'off' } });
    try {
      const refused = await runScript('restore', [made.at(-1)!], target.env);
      expect(refused.code).toBe(1);
      expect(refused.stderr.trim()).toMatch(/^Nothing was restored: .*keel\.db is in use by Keel \(pid \d+ on .*\)\. Stop it first/);
    } finally {
      await kill(child);
    }
    const untouched = statSync(join(target.dir, 'keel.db')).mtimeMs;

    const damaged = join(live.dir, 'damaged.db');
    copyFileSync(made.at(-1)!, damaged);
    truncateSync(damaged, Math.floor(statSync(damaged).size / 2));
    // The killed Keel left its marker; a dead process no longer holds the database.
    const rejected = await runScript('restore', [damaged], target.env);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr.trim()).toMatch(/damaged\.db failed its integrity check .*nothing was restored/i);
    expect(statSync(join(target.dir, 'keel.db')).mtimeMs).toBe(untouched);
    expect(existsSync(join(target.dir, 'keel.db.restoring'))).toBe(false);

    const accepted = await runScript('restore', [made.at(-1)!], target.env);
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toMatch(/the database it replaced is kept as .*keel\.db\.before-restore-/);
    const restored = await startKeel({ url: target.url });
    expect(await restored.count('clients')).toBe(1);
    restored.close();
  });

  it('runs daily at BACKUP_TIME on the durable scheduler, once per day', async () => {
    const live = fresh();
    const clock = new ManualClock('2026-11-24T01:59:00Z');
    const keel = await startKeel({ url: live.url, clock, env: { TZ: 'Europe/Berlin', BACKUP_TIME: '03:00', DIGEST_TIME: 'off' } });
    await keel.scheduler.sync();
    expect(await keel.scheduler.tick()).not.toContain('backup');
    clock.set('2026-11-24T02:00:30Z');
    expect(await keel.scheduler.tick()).toContain('backup');
    expect(await keel.scheduler.tick()).not.toContain('backup');
    expect(readdirSync(join(live.dir, 'backups'))).toEqual([expect.stringMatching(/^keel-\d{8}T\d{9}Z\.db$/)]);
    keel.close();
  });

  it('copies each backup to the S3 bucket with BACKUP_TO_S3, keeping BACKUP_KEEP there too', async () => {
    const live = await databaseWithAcme();
    // s3rver (npm) serves the S3 REST API from a temp folder; the copy is signed with SigV4 as for S3, R2 or MinIO.
    const directory = mkdtempSync(join(tmpdir(), 'keel-s3-'));
    const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: 'keel-files', configs: [] }] });
    const { port } = await server.run();
    try {
      const s3 = { S3_ENDPOINT: `http://127.0.0.1:${port}`, S3_BUCKET: 'keel-files', S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER' };
      const made: string[] = [];
      for (let i = 0; i < 3; i++) {
        const run = await runScript('backup', [], { ...live.env, ...s3, BACKUP_TO_S3: 'true', BACKUP_KEEP: '2' });
        expect(run.stderr).toBe('');
        const name = /Backup written: \S+\/(keel-\S+\.db) .*; copied to s3:\/\/keel-files\/backups\/(\S+)$/m.exec(run.stdout)!;
        expect(name[2]).toBe(name[1]);
        made.push(name[1]!);
      }
      const aws = new AwsClient({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', region: 'us-east-1', service: 's3' });
      const listing = await (await aws.fetch(`${s3.S3_ENDPOINT}/keel-files?list-type=2&prefix=backups/`)).text();
      expect([...listing.matchAll(/<Key>backups\/([^<]+)<\/Key>/g)].map((m) => m[1]).sort()).toEqual(made.slice(1));
      const copy = new Uint8Array(await (await aws.fetch(`${s3.S3_ENDPOINT}/keel-files/backups/${made[2]}`)).arrayBuffer());
      expect(Buffer.from(copy).equals(readFileSync(join(live.dir, 'backups', made[2]!)))).toBe(true);
    } finally {
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
