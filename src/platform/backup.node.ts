import { createClient, type Client } from '@libsql/client';
import { AwsClient } from 'aws4fetch';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { s3Settings } from '../core/s3-settings.js';
import type { BackupConfig, BackupMade } from './index.js';
import { holdLease } from './lease.node.js';
import { databaseFile } from './node-sql.js';

/** Where the database and the files it points at live, and where backups go. */
export interface BackupSettings {
  databaseUrl: string;
  filesDir: string;
  outboxDir: string;
  backupDir: string;
  /** How many backups to keep; older ones are deleted after a new one is complete. */
  keep: number;
  /** A bucket each backup is also copied to, under backups/, keeping `keep` there too. */
  s3?: { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string; region: string } | undefined;
}

export class BackupError extends Error {
  override name = 'BackupError';
}

/** BACKUP_DIR, or a backups folder beside the database file. */
export function backupSettings(config: BackupConfig): BackupSettings {
  const file = localFile(config.DATABASE_URL, 'A backup');
  return {
    databaseUrl: config.DATABASE_URL,
    filesDir: config.FILES_DIR,
    outboxDir: config.OUTBOX_DIR,
    backupDir: config.BACKUP_DIR ?? join(dirname(file), 'backups'),
    keep: config.BACKUP_KEEP,
    s3: config.BACKUP_TO_S3 ? s3Settings(config) : undefined,
  };
}

/** The files a backup carries, by where they are restored to. */
type Area = 'files' | 'outbox';
const BACKUP_NAME = /^keel-\d{8}T\d{6}(\d{3})?Z\.db$/;
const FILES_TABLE = 'keel_backup_files';
const MANIFEST_TABLE = 'keel_backup_manifest';

const fileUrl = (path: string) => pathToFileURL(resolve(path)).href;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const stamp = (at: Date) => at.toISOString().replace(/[-:]/g, '').replace('.', '');

function localFile(databaseUrl: string, what: string): string {
  const file = databaseFile(databaseUrl);
  if (!file) {
    throw new BackupError(
      `${what} works on the embedded database (a file: DATABASE_URL); a remote libSQL database is backed up by its provider (see the README, Backups).`,
    );
  }
  return file;
}

/** Every regular file under `dir`, as paths relative to it; half-written temporaries (*.tmp) are left out. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return entries
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.tmp'))
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/** What SQLite's integrity check finds wrong, or undefined; a file too damaged to check is reported as its error. */
async function integrity(client: Client): Promise<string | undefined> {
  try {
    const result = await client.execute('PRAGMA integrity_check');
    const lines = result.rows.map((row) => String(row[0]));
    return lines.length === 1 && lines[0] === 'ok' ? undefined : lines.slice(0, 5).join('; ');
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * One consistent backup, in one file: `VACUUM INTO` copies the database as of
 * a single read transaction while Keel goes on writing (WAL lets it), then the
 * stored files (invoice PDFs) and the e-mail outbox are added to that copy as
 * rows. Files are read after the snapshot, and Keel writes a file before the
 * row that names it, so every file the snapshot refers to is there. The copy
 * is checked and only then renamed to its final name, so a crash or a full
 * disk mid-way leaves no file that looks like a backup; older backups beyond
 * `keep` are deleted after that.
 */
export async function createBackup(settings: BackupSettings, at = new Date()): Promise<BackupMade> {
  localFile(settings.databaseUrl, 'A backup');
  await mkdir(settings.backupDir, { recursive: true });
  const final = join(settings.backupDir, `keel-${stamp(at)}.db`);
  const partial = `${final}.partial`;
  await rm(partial, { force: true });
  const source = createClient({ url: settings.databaseUrl });
  try {
    await source.execute({ sql: 'VACUUM INTO ?', args: [resolve(partial)] });
  } catch (error) {
    await rm(partial, { force: true });
    throw new BackupError(
      `Could not copy the database into ${settings.backupDir} (${error instanceof Error ? error.message : String(error)}); check that the folder is writable and has room.`,
    );
  } finally {
    source.close();
  }
  const copy = createClient({ url: fileUrl(partial) });
  let files = 0;
  try {
    await dedupeVectorMeta(copy);
    await copy.execute(
      `CREATE TABLE ${FILES_TABLE} (area TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL, bytes BLOB NOT NULL, PRIMARY KEY (area, path))`,
    );
    await copy.execute(`CREATE TABLE ${MANIFEST_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    for (const [area, dir] of [
      ['files', settings.filesDir],
      ['outbox', settings.outboxDir],
    ] as const) {
      for (const path of await listFiles(dir)) {
        const bytes = await readFile(join(dir, path));
        await copy.execute({
          sql: `INSERT INTO ${FILES_TABLE} (area, path, sha256, bytes) VALUES (?, ?, ?, ?)`,
          args: [area, path.split(sep).join('/'), sha256(bytes), bytes],
        });
        files += 1;
      }
    }
    await copy.execute({ sql: `INSERT INTO ${MANIFEST_TABLE} (key, value) VALUES ('created_at', ?), ('files', ?)`, args: [at.toISOString(), String(files)] });
    const problem = await integrity(copy);
    if (problem)
      throw new BackupError(`The backup copy failed its integrity check (${problem}); the database itself may be damaged: run PRAGMA integrity_check on it.`);
  } catch (error) {
    copy.close();
    await rm(partial, { force: true });
    if (error instanceof BackupError) throw error;
    throw new BackupError(
      `Could not add the stored files to the backup in ${settings.backupDir} (${error instanceof Error ? error.message : String(error)}); check that the folder is writable and has room.`,
    );
  }
  copy.close();
  await rename(partial, final);
  const removed = await pruneBackups(settings.backupDir, settings.keep);
  const made = { path: final, bytes: (await stat(final)).size, files, removed };
  if (!settings.s3) return made;
  return { ...made, copiedTo: await copyToBucket(settings.s3, final, settings.keep) };
}

/**
 * Copies a finished backup to `<bucket>/backups/<name>` (SigV4 over fetch, as the files store signs), then deletes
 * the bucket's backups beyond `keep`. The local backup is complete before this starts, so a failure here loses nothing.
 */
async function copyToBucket(s3: NonNullable<BackupSettings['s3']>, path: string, keep: number): Promise<string> {
  const aws = new AwsClient({ accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, region: s3.region, service: 's3' });
  const bucketUrl = `${s3.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(s3.bucket)}`;
  const name = basename(path);
  const fail = (what: string, detail: string) =>
    new BackupError(
      `The backup ${path} is complete, but ${what} the bucket ${s3.bucket} failed (${detail}); check S3_ENDPOINT, S3_BUCKET and the access keys.`,
    );
  const send = async (url: string, init: RequestInit, what: string) => {
    const response = await aws.fetch(url, init).catch((error: unknown) => {
      throw fail(what, error instanceof Error ? error.message : String(error));
    });
    if (!response.ok) throw fail(what, `HTTP ${response.status}`);
    return response;
  };
  await send(
    `${bucketUrl}/backups/${name}`,
    { method: 'PUT', body: await readFile(path), headers: { 'content-type': 'application/vnd.sqlite3' } },
    'copying it to',
  );
  const listing = await (await send(`${bucketUrl}?list-type=2&prefix=backups/`, { method: 'GET' }, 'listing the backups in')).text();
  const keys = [...listing.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]!).filter((key) => BACKUP_NAME.test(key.slice('backups/'.length)));
  for (const key of keys.sort().reverse().slice(keep)) await send(`${bucketUrl}/${key}`, { method: 'DELETE' }, `deleting an old backup (${key}) from`);
  return `s3://${s3.bucket}/backups/${name}`;
}

/**
 * libSQL's `VACUUM` and `VACUUM INTO` re-create each vector index (which registers it in
 * libsql_vector_meta_shadow) and then copies that table's rows too, so the copy
 * names every index twice and fails SQLite's integrity check. Keeping one row
 * per index gives a copy whose vector search answers as the original's does
 * (tests/ops/backup.test.ts compares them).
 */
async function dedupeVectorMeta(copy: Client): Promise<void> {
  const shadow = await copy.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'libsql_vector_meta_shadow'");
  if (!shadow.rows.length) return;
  const rows = (await copy.execute('SELECT name, metadata FROM libsql_vector_meta_shadow')).rows;
  const unique = new Map(rows.map((row) => [String(row.name), row.metadata ?? null]));
  if (unique.size === rows.length) return;
  await copy.batch(
    [
      'DELETE FROM libsql_vector_meta_shadow',
      ...[...unique].map(([name, metadata]) => ({ sql: 'INSERT INTO libsql_vector_meta_shadow (name, metadata) VALUES (?, ?)', args: [name, metadata] })),
    ],
    'write',
  );
}

/** Deletes all but the newest `keep` backups in `dir`; returns what it deleted. */
/**
 * No process runs on a restored database (a restore refuses while one holds it), so every lease in it belonged
 * to a process of the database it was copied from: released at once, recovery takes that work over at the
 * first start instead of waiting a whole lease for an owner that will never come back.
 */
async function releaseLeases(copy: Client): Promise<void> {
  // A backup made before leases existed has none of these; its migrations add them at the first start.
  const leased = async (table: string) =>
    (await copy.execute({ sql: "SELECT 1 FROM pragma_table_info(?) WHERE name = 'lease_until'", args: [table] })).rows.length > 0;
  if (await leased('turn_leases')) await copy.execute('DELETE FROM turn_leases');
  for (const table of ['actions', 'scheduled_jobs'])
    if (await leased(table)) await copy.execute(`UPDATE ${table} SET lease_until = 0 WHERE lease_until IS NOT NULL`);
}

async function pruneBackups(dir: string, keep: number): Promise<string[]> {
  const removed = (await listBackups(dir)).slice(keep);
  for (const path of removed) await rm(path, { force: true });
  return removed;
}

export interface Restored {
  database: string;
  files: number;
  /** The database that was there before, kept beside it rather than overwritten. */
  previous?: string;
}

/**
 * Puts a backup in place of the database at `settings.databaseUrl`, with its
 * files. Refuses while a Keel process holds that database (see lease.node.ts),
 * and checks the whole backup — SQLite's integrity check and every file's
 * SHA-256 — before it touches anything. A database already there is moved
 * aside (`<name>.before-restore-<time>`), never deleted; files already in the
 * folders stay, and the backup's are added.
 */
export async function restoreBackup(backupPath: string, settings: Omit<BackupSettings, 'backupDir' | 'keep'>, at = new Date()): Promise<Restored> {
  const target = localFile(settings.databaseUrl, 'A restore');
  const release = await holdLease(settings.databaseUrl, 'restore', ['keel', 'restore']);
  try {
    await stat(backupPath).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' ? new BackupError(`There is no backup at ${backupPath}.`) : error;
    });
    const backup = createClient({ url: fileUrl(backupPath) });
    let entries: { area: Area; path: string; bytes: Uint8Array }[];
    try {
      const problem = await integrity(backup);
      if (problem) throw new BackupError(`${backupPath} failed its integrity check (${problem}); nothing was restored. Pick an older backup.`);
      const tables = await backup.execute(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('${FILES_TABLE}', '__drizzle_migrations')`);
      if (tables.rows.length !== 2) throw new BackupError(`${backupPath} is not a Keel backup (made by npm run backup); nothing was restored.`);
      const rows = await backup.execute(`SELECT area, path, sha256, bytes FROM ${FILES_TABLE}`);
      entries = rows.rows.map((row) => {
        const bytes = new Uint8Array(row.bytes as ArrayBuffer);
        if (sha256(bytes) !== row.sha256)
          throw new BackupError(`${backupPath} holds a damaged copy of ${String(row.path)}; nothing was restored. Pick an older backup.`);
        const path = String(row.path);
        if (path.split('/').includes('..')) throw new BackupError(`${backupPath} names a file outside its folder (${path}); nothing was restored.`);
        return { area: row.area as Area, path, bytes };
      });
    } finally {
      backup.close();
    }

    await mkdir(dirname(target), { recursive: true });
    const incoming = `${target}.restoring`;
    await copyFile(backupPath, incoming);
    const cleaned = createClient({ url: fileUrl(incoming) });
    try {
      await cleaned.execute(`DROP TABLE ${FILES_TABLE}`);
      await cleaned.execute(`DROP TABLE ${MANIFEST_TABLE}`);
      await releaseLeases(cleaned);
      await cleaned.execute('VACUUM');
      await dedupeVectorMeta(cleaned);
      const problem = await integrity(cleaned);
      if (problem) throw new BackupError(`The restored copy of ${backupPath} failed its integrity check (${problem}); nothing was restored.`);
    } catch (error) {
      await rm(incoming, { force: true });
      throw error;
    } finally {
      cleaned.close();
    }

    for (const { area, path, bytes } of entries) {
      const file = join(area === 'files' ? settings.filesDir : settings.outboxDir, ...path.split('/'));
      if (
        await stat(file).then(
          () => true,
          () => false,
        )
      )
        continue;
      await mkdir(dirname(file), { recursive: true });
      await writeFile(`${file}.restore.tmp`, bytes);
      await rename(`${file}.restore.tmp`, file);
    }

    let previous: string | undefined;
    if (
      await stat(target).then(
        () => true,
        () => false,
      )
    ) {
      previous = `${target}.before-restore-${stamp(at)}`;
      await rename(target, previous);
    }
    // The old file's journal goes with it: replayed onto the restored file, it would corrupt it.
    for (const suffix of ['-wal', '-shm']) {
      const journal = `${target}${suffix}`;
      if (
        !(await stat(journal).then(
          () => true,
          () => false,
        ))
      )
        continue;
      if (previous) await rename(journal, `${previous}${suffix}`);
      else await rm(journal, { force: true });
    }
    await rename(incoming, target);
    return { database: target, files: entries.length, ...(previous ? { previous } : {}) };
  } finally {
    await release();
  }
}

/** The backups in `dir`, newest first (their names sort by time). */
export async function listBackups(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  return names
    .filter((name) => BACKUP_NAME.test(name))
    .sort()
    .reverse()
    .map((name) => join(dir, basename(name)));
}
