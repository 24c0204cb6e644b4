import { createClient, type Client } from '@libsql/client';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { nodePlatform } from '../../src/platform/node.js';
import { MigrationError, openStorage } from '../../src/storage/index.js';
import { applyMigrations } from '../../src/storage/migrate.js';
import { tempDatabase } from '../support/db.js';
import { startKeel, textIn } from '../support/keel.js';
import { projectRoot } from './support.js';

/** The first release's database, made by that release's own code (fixtures/first-release.sh): migrations 0000–0003. */
const dump = readFileSync(new URL('./fixtures/first-release.sql', import.meta.url), 'utf8');
const openCard = /the open card is REF=(\S+)\./.exec(dump)![1]!;

const temps: ReturnType<typeof tempDatabase>[] = [];
afterEach(() => {
  for (const db of temps.splice(0)) db.remove();
});

async function firstReleaseDatabase() {
  const db = tempDatabase('keel-upgrade-');
  temps.push(db);
  const client = createClient({ url: db.url });
  await client.executeMultiple(dump);
  return { db, client };
}

const tablesOf = async (client: Client) =>
  (await client.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")).rows.map((r) => String(r.name));
const countsOf = async (client: Client, tables: string[]) =>
  Object.fromEntries(await Promise.all(tables.map(async (t) => [t, Number((await client.execute(`SELECT count(*) AS n FROM "${t}"`)).rows[0]!.n)] as const)));

describe('upgrades never lose data', () => {
  it('migrates the first release database to today with every row kept, and its open card still resumes once', async () => {
    const { db, client } = await firstReleaseDatabase();
    const oldTables = await tablesOf(client);
    const before = await countsOf(client, oldTables);
    // Every table of that release has data, so each one is carried through the migrations.
    for (const table of oldTables) expect(before[table], table).toBeGreaterThan(0);
    const card = (await client.execute({ sql: 'SELECT created_at FROM actions WHERE card_ref = ?', args: [openCard] })).rows[0]!;
    client.close();

    const clock = new ManualClock(new Date(Number(card.created_at) + 60 * 60_000));
    const keel = await startKeel({ url: db.url, clock });
    const migrated = keel.storage.client;
    const applied = Number((await migrated.execute('SELECT count(*) AS n FROM __drizzle_migrations')).rows[0]!.n);
    expect(applied).toBe((await nodePlatform.migrations()).length);
    expect(await countsOf(migrated, oldTables)).toEqual({ ...before, __drizzle_migrations: applied });

    const read = async (sql: string) => (await migrated.execute(sql)).rows[0]!;
    expect(await read('SELECT name, email FROM clients')).toMatchObject({ name: 'Acme Corp', email: 'dana@acme.test' });
    expect(await read("SELECT number, total_minor, currency, status FROM invoices WHERE number = '2026-0001'")).toMatchObject({
      total_minor: 150000,
      currency: 'EUR',
      status: 'sent',
    });
    expect(await read('SELECT text FROM notes')).toMatchObject({ text: 'Acme prefers invoices at the start of the month' });
    expect(await read('SELECT "to", subject FROM outbox_emails')).toMatchObject({ to: 'dana@acme.test', subject: 'Following up' });
    expect(await read('SELECT status FROM meetings')).toMatchObject({ status: 'booked' });
    expect(await read('SELECT title FROM proposals')).toMatchObject({ title: 'Website' });
    // Old data reaches the features that came later: recall finds the old note.
    expect(textIn((await keel.say('what do we know about Acme?')).replies)).toMatch(/start of the month/);

    await keel.recover();
    expect(textIn((await keel.tap(openCard)).replies)).toMatch(/invoice 2026-0002, 300\.00 EUR/);
    expect(textIn((await keel.tap(openCard)).replies)).toMatch(/Already approved/);
    expect(await keel.count('invoices')).toBe(2);
    keel.close();
  });

  it('rolls a failed upgrade back whole, names the migration, and carries on once it is fixed', async () => {
    const { db, client } = await firstReleaseDatabase();
    const schema = async () => (await client.execute('SELECT type, name, sql FROM sqlite_master ORDER BY name')).rows.map((r) => JSON.stringify(r));
    const before = { schema: await schema(), counts: await countsOf(client, await tablesOf(client)) };
    const today = await nodePlatform.migrations();
    const broken = {
      ...today.at(-1)!,
      sql: ['CREATE TABLE upgrade_probe (id text)', 'INSERT INTO no_such_table VALUES (1)'],
      folderMillis: today.at(-1)!.folderMillis + 1,
      hash: 'broken',
    };

    const failure = await applyMigrations(client, [...today, broken]).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(MigrationError);
    expect((failure as Error).message).toBe(
      `Migration ${String(today.length).padStart(4, '0')} failed (SQLITE_ERROR: no such table: no_such_table); the database was left as it was, at migration 0003. Nothing else was started: keep running the previous Keel on it, and report this line.`,
    );
    // Sixteen good migrations ran before the broken one, and none of them stayed.
    expect(await schema()).toEqual(before.schema);
    expect(await countsOf(client, await tablesOf(client))).toEqual(before.counts);

    await applyMigrations(client, today);
    expect(Number((await client.execute('SELECT count(*) AS n FROM __drizzle_migrations')).rows[0]!.n)).toBe(today.length);
    // Forward only: a database from a newer Keel is refused, not guessed at.
    await expect(applyMigrations(client, today.slice(0, -1))).rejects.toThrow(/upgraded by a newer Keel .* run that version, or restore a backup/);
    client.close();
    const storage = await openStorage({ url: db.url }, nodePlatform);
    storage.close();
  });

  it('stops npm start with one clear line when a migration cannot apply, and leaves the database as it was', async () => {
    const { db, client } = await firstReleaseDatabase();
    // A table a later migration creates, already there (say, made by hand): that migration cannot apply.
    await client.execute('CREATE TABLE reminders (id text)');
    const tables = await tablesOf(client);
    client.close();
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH, ...db.env, PORT: '0' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^Keel could not start: Migration 0008 failed \(.*reminders.* already exists\); the database was left as it was, at migration 0003\./,
      ),
    ]);
    const after = createClient({ url: db.url });
    expect(await tablesOf(after)).toEqual(tables);
    after.close();
  });
});
