/**
 * `npm run restore <backup file>`: puts a backup made by `npm run backup` (or the daily backup job) in place of
 * DATABASE_URL, with its files in FILES_DIR and OUTBOX_DIR. Refuses while Keel runs on that database, and checks the
 * backup before it touches anything; the database it replaces is kept beside it.
 */
import { ConfigError, loadConfig } from '../src/config.js';
import { BackupError, restoreBackup } from '../src/platform/backup.node.js';
import { DatabaseBusyError } from '../src/platform/lease.node.js';

const [file] = process.argv.slice(2);
if (!file) {
  console.error('Usage: npm run restore <backup file>, e.g. npm run restore data/backups/keel-20261128T030000000Z.db');
  process.exit(1);
}
try {
  const config = loadConfig(process.env);
  const restored = await restoreBackup(file, { databaseUrl: config.DATABASE_URL, filesDir: config.FILES_DIR, outboxDir: config.OUTBOX_DIR });
  console.log(
    `Restored ${file} to ${restored.database} with ${restored.files} files${restored.previous ? `; the database it replaced is kept as ${restored.previous}` : ''}. Start Keel with npm start.`,
  );
} catch (error) {
  if (error instanceof DatabaseBusyError) {
    console.error(`Nothing was restored: ${error.message}`);
    process.exit(1);
  }
  if (!(error instanceof BackupError || error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
