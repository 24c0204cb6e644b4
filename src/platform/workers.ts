import { createClient } from '@libsql/client/web';
import { unavailableDelivery } from '../connectors/email/index.js';
import { databaseStore } from '../connectors/files/index.js';
import { bundledMigrations } from '../storage/migrations.generated.js';
import type { Platform } from './index.js';
import { EMAIL_UNAVAILABLE } from './workers-settings.js';

export { workersNotices, workersProblems } from './workers-settings.js';

/**
 * A Cloudflare Worker: libSQL over HTTP (`@libsql/client/web`; a libsql://
 * URL is spoken as https://), migrations bundled at build time, files in the
 * database, email only through an HTTP email API (EMAIL_API_KEY, chosen by
 * the connectors before this refusing delivery), and no timers between
 * requests — Cron Triggers tick the scheduler instead.
 */
export const workersPlatform: Platform = {
  name: 'workers',
  openClient: async (settings) => createClient({ url: settings.url, authToken: settings.authToken }),
  migrations: () => bundledMigrations,
  stores: {
    blobs: (_settings, deps) => databaseStore(deps.db),
    delivery: () => unavailableDelivery(EMAIL_UNAVAILABLE),
  },
  backgroundTimers: false,
};
