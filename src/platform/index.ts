import type { Client } from '@libsql/client';
import type { MigrationMeta } from 'drizzle-orm/migrator';
import type { EffectStores } from '../connectors/index.js';
import type { DatabaseSettings, SqlRunner } from '../storage/index.js';

/**
 * What differs between one Node process and a Cloudflare Worker. The entry
 * files (src/main.ts, src/worker.ts) pass one in; nothing else in src/ imports
 * a Node-only module, in the way Hono and grammY keep their cores portable.
 */
export interface Platform {
  name: 'node' | 'workers';
  /** The libSQL client: native (local files and remote) on Node, `@libsql/client/web` (HTTP only) on Workers. */
  openClient(settings: DatabaseSettings): Promise<Client>;
  /** A faster connection for hot SQL (statements prepared once) where the platform has one: Node, for a local file. */
  openLocalSql?(settings: DatabaseSettings): (SqlRunner & { close(): void }) | undefined;
  /** Every migration shipped with Keel: read from ./migrations on Node, bundled into the Worker. */
  migrations(): MigrationMeta[] | Promise<MigrationMeta[]>;
  /** Where files and email go: folders and SMTP on Node; libSQL, or "not available" on Workers. */
  stores: EffectStores;
  /** Whether timers may run between requests (memory indexing, scheduler ticks); Workers run work only inside a request or a cron event. */
  backgroundTimers: boolean;
}

export type StoragePlatform = Pick<Platform, 'openClient' | 'openLocalSql' | 'migrations'>;
