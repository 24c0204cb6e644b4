/**
 * Faults of the disk and the database file, made for real: another process (the sqlite3 shell) holding the write
 * lock, the file system under the database read-only, and a full disk (a small tmpfs filled up). The last two mount
 * a tmpfs, which needs root; as another user they are skipped. A file system cannot be remounted read-only while a
 * process has a file open for writing (the kernel answers "busy"), and root ignores a file's mode bits, so the
 * read-only case is Keel starting on a read-only disk, and starting again once it is writable.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDatabase } from '../support/db.js';
import { kill, runUntil } from '../support/child.js';
import { cardsIn, startKeel, type TestKeel, withBillingAddress } from '../support/keel.js';
import { projectRoot } from './support.js';

const root = process.getuid?.() === 0;
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** A tmpfs of `megabytes` holding the database, files and outbox, unmounted after the test. */
function smallDisk(megabytes: number) {
  const dir = mkdtempSync(join(tmpdir(), 'keel-disk-'));
  const mount = (...options: string[]) => expect(spawnSync('mount', options, { encoding: 'utf8' }).stderr).toBe('');
  mount('-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', dir);
  cleanups.push(() => {
    // Lazily: a connection closed after a fault may keep its file open until it is garbage-collected.
    spawnSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, url: pathToFileURL(join(dir, 'keel.db')).href, remount: (mode: 'ro' | 'rw') => mount('-o', `remount,${mode}`, dir) };
}

/** Taps Approve on a card through the web chat's HTTP API, as the page does. */
async function approve(keel: TestKeel, ref: string) {
  const response = await keel.http.fetch(
    new Request('http://127.0.0.1/api/decisions', {
      method: 'POST',
      headers: { host: '127.0.0.1', 'content-type': 'application/json', 'x-keel': '1' },
      body: JSON.stringify({ id: crypto.randomUUID(), action: `approve:${ref}` }),
    }),
  );
  const body = (await response.json()) as { error?: string; replies?: unknown[] };
  return { status: response.status, error: body.error, text: JSON.stringify(body.replies ?? []) };
}

async function keelWithCard(url: string) {
  const keel = await startKeel({ url });
  await keel.say('Add Acme Corp as a client, contact dana@acme.test');
  await withBillingAddress(keel, 'Acme Corp');
  const [card] = cardsIn((await keel.say('Invoice Acme 10 hours at 150 EUR for October consulting')).replies);
  cleanups.push(() => keel.close());
  return { keel, ref: card!.ref };
}

/** Invoices, stored files and sent e-mails, in the database and on disk: all one or all none, nothing half-written. */
async function effects(keel: TestKeel, folder: string) {
  const onDisk = (dir: string) =>
    existsSync(join(folder, dir)) ? readdirSync(join(folder, dir), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length : 0;
  return {
    invoices: await keel.count('invoices'),
    files: await keel.count('files'),
    emails: await keel.count("outbox_emails WHERE status = 'sent'"),
    pdfs: onDisk('files'),
    emls: onDisk('outbox'),
  };
}

/** The tap that a fault refused, sent again: the invoice is issued, with one PDF and one e-mail. */
async function approvedOnce(keel: TestKeel, ref: string, folder: string) {
  const done = await approve(keel, ref);
  expect(done.status).toBe(200);
  expect(done.text).toContain('invoice 2026-0001');
  expect(await effects(keel, folder)).toEqual({ invoices: 1, files: 1, emails: 1, pdfs: 1, emls: 1 });
}

describe('faults of the disk and the database', () => {
  it('a database locked by another process: a clear answer, nothing written, and the same tap works once the lock is gone', async () => {
    const db = tempDatabase('keel-fault-');
    cleanups.push(() => db.remove());
    const { keel, ref } = await keelWithCard(db.url);
    const locker: ChildProcess = spawn('sqlite3', [join(db.dir, 'keel.db')], { stdio: ['pipe', 'ignore', 'ignore'] });
    cleanups.push(() => locker.kill('SIGKILL'));
    locker.stdin!.write("BEGIN IMMEDIATE;\nINSERT INTO notes (id, text, created_at) VALUES ('note_lock', 'held', 0);\n");
    await new Promise((resolve) => setTimeout(resolve, 300));

    const refused = await approve(keel, ref);
    expect(refused).toMatchObject({
      status: 503,
      error: expect.stringMatching(/^The database is locked by another process; nothing was done twice\. Close what holds it/),
    });
    expect(await effects(keel, db.dir)).toEqual({ invoices: 0, files: 0, emails: 0, pdfs: 0, emls: 0 });

    locker.stdin!.end('ROLLBACK;\n.quit\n');
    await new Promise((resolve) => locker.once('exit', resolve));
    await approvedOnce(keel, ref, db.dir);
  });

  it.skipIf(!root)('a read-only disk: npm start stops with one clear line, writes nothing, and starts once it is writable', async () => {
    const disk = smallDisk(64);
    // The card is raised by another process, killed, so no file stays open here and the disk can be remounted.
    const { child, match } = await runUntil(fileURLToPath(new URL('../conversation/restart-child.ts', import.meta.url)), ['pause', disk.url], /REF=(\S+)/);
    await kill(child);
    const ref = match[1]!;
    disk.remount('ro');
    const env = { PATH: process.env.PATH ?? '', DATABASE_URL: disk.url, FILES_DIR: join(disk.dir, 'files'), OUTBOX_DIR: join(disk.dir, 'outbox'), PORT: '0' };
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: projectRoot, env, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Keel could not start: .*read-only.* \(\w+\)\. .*, then start it again\.$/)]);

    disk.remount('rw');
    const again = await startKeel({ url: disk.url });
    cleanups.push(() => again.close());
    await again.recover();
    await approvedOnce(again, ref, disk.dir);
  });

  it.skipIf(!root)('a full disk: a clear answer, nothing half-written, and Keel carries on once space is freed', async () => {
    const disk = smallDisk(64);
    const { keel, ref } = await keelWithCard(disk.url);
    const free = statfsSync(disk.dir);
    const filler = join(disk.dir, 'filler');
    writeFileSync(filler, Buffer.alloc(Number(free.bavail) * Number(free.bsize)));
    expect(statfsSync(disk.dir).bavail).toBe(0);

    const refused = await approve(keel, ref);
    expect(refused.status).toBe(503);
    expect(refused.error).toMatch(/^The disk that holds the database or the files is full; nothing was done twice\. Free some space/);
    expect(await effects(keel, disk.dir)).toEqual({ invoices: 0, files: 0, emails: 0, pdfs: 0, emls: 0 });

    rmSync(filler);
    await approvedOnce(keel, ref, disk.dir);
  });
});
