import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { folderStore } from '../connectors/files/folder.node.js';
import { outboxDelivery, smtpDelivery } from '../connectors/email/delivery.node.js';
import type { Platform } from './index.js';
import { openClient } from './node-database.js';
import { backupSettings, createBackup } from './backup.node.js';
import { openLocalSql } from './node-sql.js';
import { installSha256 } from '../core/ids.js';
import { installRawDeflate } from '../core/deflate.js';

installSha256((text) => createHash('sha256').update(text).digest('hex'));
installRawDeflate({ deflate: (bytes) => deflateRawSync(bytes, { level: 1 }), inflate: (bytes) => inflateRawSync(bytes) });

const migrationsFolder = fileURLToPath(new URL('../../migrations', import.meta.url));

/** One Node process: the native libSQL client (a local file by default), migrations read from ./migrations, files and mail on disk or SMTP. */
export const nodePlatform: Platform = {
  name: 'node',
  openClient,
  openLocalSql,
  migrations: () => readMigrationFiles({ migrationsFolder }),
  stores: {
    blobs: (settings) => folderStore(settings.filesDir),
    delivery: (settings) => (settings.smtpUrl ? smtpDelivery(settings.smtpUrl) : outboxDelivery(settings.outboxDir)),
  },
  backgroundTimers: true,
  backup: (config) => createBackup(backupSettings(config)),
  // Loaded on first use: the addon is native, and a Keel that never sends a review never loads it.
  async renderPng(svg) {
    const { Resvg } = await import('@resvg/resvg-js');
    return new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
  },
};
