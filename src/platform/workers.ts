import { createClient } from '@libsql/client/web';
import type { Config } from '../config.js';
import { unavailableDelivery } from '../connectors/email/index.js';
import { databaseStore } from '../connectors/files/index.js';
import { bundledMigrations } from '../storage/migrations.generated.js';
import type { Platform } from './index.js';

const EMAIL_UNAVAILABLE =
  'Email cannot be sent from Keel on Cloudflare Workers: a Worker has no folder for the outbox and nodemailer cannot open an SMTP connection there. Run Keel on Node (npm start) for email.';

/**
 * A Cloudflare Worker: libSQL over HTTP (`@libsql/client/web`; a libsql://
 * URL is spoken as https://), migrations bundled at build time, files in the
 * database, no email, and no timers between requests — Cron Triggers tick the
 * scheduler instead.
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

/** Settings that are valid for Node but cannot work in a Worker, each with its fix; Keel refuses to start on any of them. */
export function workersProblems(config: Config): string[] {
  const problems: string[] = [];
  if (config.DATABASE_URL.startsWith('file:'))
    problems.push('DATABASE_URL must reach a remote libSQL server on Workers (libsql://… or https://…, e.g. a Turso database); a Worker has no disk for a file: database');
  if (config.TELEGRAM_BOT_TOKEN && !(config.TELEGRAM_WEBHOOK_URL && config.TELEGRAM_WEBHOOK_SECRET))
    problems.push('TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET are required with TELEGRAM_BOT_TOKEN on Workers: a Worker cannot long-poll, Telegram must push to https://<worker>/telegram/webhook');
  if (config.SLACK_BOT_TOKEN && !config.SLACK_SIGNING_SECRET)
    problems.push('SLACK_SIGNING_SECRET is required with SLACK_BOT_TOKEN on Workers: Slack must post to https://<worker>/slack/events');
  if (config.SLACK_APP_TOKEN) problems.push('SLACK_APP_TOKEN must be unset on Workers: Socket Mode needs a long-lived connection a Worker cannot keep; use the signing secret');
  return problems;
}

/** What a Worker runs without, logged once per isolate so the operator reads it at start-up rather than at the first failure. */
export function workersNotices(config: Config): string[] {
  const notices = ['files (invoice PDFs) are stored in the libSQL database; FILES_DIR is not used', EMAIL_UNAVAILABLE];
  if (config.SMTP_URL) notices.push('SMTP_URL is set but ignored on Workers');
  return notices;
}
