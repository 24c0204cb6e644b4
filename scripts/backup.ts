/**
 * `npm run backup`: one consistent backup of the embedded database and its files now, into
 * BACKUP_DIR (or a backups folder beside the database), keeping the newest BACKUP_KEEP. Safe while Keel runs.
 */
import { ConfigError, loadConfig } from '../src/config.js';
import { BackupError, backupSettings, createBackup } from '../src/platform/backup.node.js';

try {
  const made = await createBackup(backupSettings(loadConfig(process.env)));
  const older = made.removed.length ? `; removed ${made.removed.length} older` : '';
  console.log(
    `Backup written: ${made.path} (${(made.bytes / 1024).toFixed(0)} KiB, ${made.files} files)${older}${made.copiedTo ? `; copied to ${made.copiedTo}` : ''}`,
  );
} catch (error) {
  if (!(error instanceof BackupError || error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
