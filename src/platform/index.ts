import type { S3Config } from '../core/s3-settings.js';
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
  /** A consistent backup of a local database with its files (Node only; a remote database is backed up by its provider). */
  backup?: (settings: BackupConfig) => Promise<BackupMade>;
  /** SVG → PNG (Node: @resvg/resvg-js, a native addon, loaded on first use); Workers have none, so their review is text and the workspace's SVG. */
  renderPng?: (svg: string) => Promise<Uint8Array>;
}

/** The settings a backup reads, by their configuration names. */
export interface BackupConfig extends S3Config {
  DATABASE_URL: string;
  FILES_DIR: string;
  OUTBOX_DIR: string;
  BACKUP_DIR?: string | undefined;
  BACKUP_KEEP: number;
  BACKUP_TO_S3: boolean;
}

export interface BackupMade {
  path: string;
  bytes: number;
  files: number;
  /** Older backups deleted to keep BACKUP_KEEP. */
  removed: string[];
  /** Where the backup was also copied (BACKUP_TO_S3), e.g. s3://bucket/backups/keel-….db. */
  copiedTo?: string;
}

export type StoragePlatform = Pick<Platform, 'openClient' | 'openLocalSql' | 'migrations'>;
