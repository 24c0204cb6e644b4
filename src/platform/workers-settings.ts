import type { Config } from '../config.js';
import { EMAIL_API_DEFAULT_URL } from '../connectors/email/index.js';

export const EMAIL_UNAVAILABLE =
  'Email cannot be sent from Keel on Cloudflare Workers without an email API: a Worker has no folder for the outbox and nodemailer cannot open an SMTP connection there. Set EMAIL_API_KEY and MAIL_FROM (an HTTP email API such as Resend), or run Keel on Node (npm start).';

/** Settings that are valid for Node but cannot work in a Worker, each with its fix; Keel refuses to start on any of them. */
export function workersProblems(config: Config): string[] {
  const problems: string[] = [];
  if (config.DATABASE_URL.startsWith('file:'))
    problems.push(
      'DATABASE_URL must reach a remote libSQL server on Workers (libsql://… or https://…, e.g. a Turso database); a Worker has no disk for a file: database',
    );
  if (config.TELEGRAM_BOT_TOKEN && !(config.TELEGRAM_WEBHOOK_URL && config.TELEGRAM_WEBHOOK_SECRET))
    problems.push(
      'TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET are required with TELEGRAM_BOT_TOKEN on Workers: a Worker cannot long-poll, Telegram must push to https://<worker>/telegram/webhook',
    );
  if (config.SLACK_BOT_TOKEN && !config.SLACK_SIGNING_SECRET)
    problems.push('SLACK_SIGNING_SECRET is required with SLACK_BOT_TOKEN on Workers: Slack must post to https://<worker>/slack/events');
  // On Node the web chat without a token answers loopback Host headers only; a Worker is public, and a Host header is the client's to write.
  if (!config.WEB_CHAT_TOKEN) problems.push('WEB_CHAT_TOKEN is required on Workers: a Worker is reachable from anywhere, so the web chat needs its token');
  if (config.SLACK_APP_TOKEN)
    problems.push('SLACK_APP_TOKEN must be unset on Workers: Socket Mode needs a long-lived connection a Worker cannot keep; use the signing secret');
  return problems;
}

/** What a Worker runs without, logged once per isolate so the operator reads it at start-up rather than at the first failure. */
export function workersNotices(config: Config): string[] {
  const notices = [
    config.S3_ENDPOINT
      ? 'files (invoice PDFs) go to the S3 bucket'
      : 'files (invoice PDFs) are stored in the libSQL database (set S3_* for R2 or another bucket); FILES_DIR is not used',
    config.EMAIL_API_KEY ? `email goes through the email API at ${new URL(config.EMAIL_API_URL ?? EMAIL_API_DEFAULT_URL).host}` : EMAIL_UNAVAILABLE,
  ];
  if (config.SMTP_URL) notices.push('SMTP_URL is set but ignored on Workers: set EMAIL_API_KEY instead');
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT)
    notices.push('OTEL_EXPORTER_OTLP_ENDPOINT is set but no traces are sent from Workers: the OpenTelemetry exporter Keel uses runs on Node (npm start)');
  if (config.IMAP_URL) notices.push('IMAP_URL is set but replies are not read on Workers: the IMAP client needs a TCP connection a Worker does not give it');
  return notices;
}
