import { z } from 'zod';

/**
 * Every setting Keel reads from the environment, in one place. Each field's
 * description is the README's configuration table (tests/config.test.ts keeps
 * the two in step), and each error message says how to fix the value.
 */
const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const url = (what: string) =>
  optionalText.pipe(
    z
      .string()
      .url({ error: `must be a full URL for ${what}, e.g. http://localhost:11434/v1` })
      .optional(),
  );

/** A comma-separated list of platform ids, e.g. "4242, 777"; empty means none. */
const idList = (pattern: RegExp, example: string, what = 'user ids') =>
  z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(pattern, { error: `must be ${what} separated by commas, e.g. ${example}` })));

const loopbackHosts = ['127.0.0.1', 'localhost', '::1', '[::1]'];

const positiveInt = (fallback: number, hint: string) =>
  z.coerce
    .number({ error: `must be a whole number (${hint})` })
    .int({ error: `must be a whole number (${hint})` })
    .positive({ error: `must be greater than zero (${hint})` })
    .default(fallback);

/** A time of day in TZ ("HH:MM"), or off (undefined). */
const dailyTime = (fallback: string) =>
  z
    .string()
    .trim()
    .regex(/^(([01]\d|2[0-3]):[0-5]\d|off)$/, { error: `must be a 24-hour time such as ${fallback}, or off` })
    .default(fallback)
    .transform((v) => (v === 'off' ? undefined : v));

export const configSchema = z
  .object({
    PORT: z.coerce
      .number({ error: 'must be a TCP port number, e.g. 3000' })
      .int({ error: 'must be a TCP port number, e.g. 3000' })
      .min(0, { error: 'must be between 0 and 65535' })
      .max(65535, { error: 'must be between 0 and 65535' })
      .default(3000)
      .describe('Port of the HTTP server (web chat, webhooks, /healthz). 0 picks a free port.'),
    HOST: z
      .string()
      .trim()
      .min(1, { error: 'must be a host name or address, e.g. 127.0.0.1' })
      .default('127.0.0.1')
      .describe('Address the HTTP server listens on. Anything but a loopback address requires WEB_CHAT_TOKEN.'),
    DATABASE_URL: z
      .string()
      .trim()
      .regex(/^(file:|libsql:\/\/|https?:\/\/|wss?:\/\/)/, {
        error: 'must start with file:, libsql://, http(s):// or ws(s)://, e.g. file:./data/keel.db',
      })
      .default('file:./data/keel.db')
      .describe(
        'libSQL database. A file: URL is the embedded default (its folder is created); libsql:// or https:// reach a remote libSQL server such as Turso or sqld.',
      ),
    DATABASE_AUTH_TOKEN: optionalText.describe('Auth token for a remote libSQL database (Turso). Secret.'),
    OPENAI_API_KEY: optionalText.describe(
      'API key of an OpenAI-compatible model endpoint. With it (or OPENAI_BASE_URL) Keel uses that model; without both, the offline model. Secret.',
    ),
    OPENAI_BASE_URL: url('an OpenAI-compatible endpoint').describe(
      'Base URL of an OpenAI-compatible endpoint (Ollama, vLLM, llama.cpp server). Leave empty for api.openai.com.',
    ),
    OPENAI_MODEL: z.string().trim().min(1).default('gpt-4o-mini').describe('Chat model name at that endpoint.'),
    TRANSCRIBE_MODEL: z
      .string()
      .trim()
      .min(1)
      .default('whisper-1')
      .describe('Speech-to-text model for voice notes at the transcription endpoint (whisper-1 on OpenAI; what a local whisper server names its model).'),
    TRANSCRIBE_BASE_URL: url('an OpenAI-compatible transcription endpoint').describe(
      'Base URL of an OpenAI-compatible /v1/audio/transcriptions endpoint for voice notes (a local whisper server). Defaults to OPENAI_BASE_URL; without it, OPENAI_API_KEY or TRANSCRIBE_API_KEY, voice notes are answered with how to set one.',
    ),
    TRANSCRIBE_API_KEY: optionalText.describe('API key of the transcription endpoint. Defaults to OPENAI_API_KEY. Secret.'),
    MODEL_TIMEOUT_SECONDS: positiveInt(60, 'seconds one model call may take, e.g. 60').describe(
      'Seconds one call to the model endpoint may take before Keel gives up on it and says so.',
    ),
    MODEL_MAX_RETRIES: z.coerce
      .number({ error: 'must be a whole number of retries, e.g. 2' })
      .int({ error: 'must be a whole number of retries, e.g. 2' })
      .min(0, { error: 'must be 0 or more, e.g. 2' })
      .max(10, { error: 'must be at most 10, e.g. 2' })
      .default(2)
      .describe(
        'Retries of a model call that failed with a rate limit (Retry-After is honoured up to 30 s), a 5xx or a refused connection. A timeout is not retried.',
      ),
    MODEL_TURN_SECONDS: positiveInt(180, 'seconds of model time one request may use, e.g. 180').describe(
      'Seconds of model time one request may use in all (at most 8 model calls); past it Keel stops and says what was done so far.',
    ),
    APPROVAL_TTL_HOURS: positiveInt(48, 'hours an approval card stays open, e.g. 48').describe('How long an approval card can be decided before it expires.'),
    APPROVAL_REMINDER_MINUTES: z.coerce
      .number({ error: 'must be a whole number of minutes, e.g. 240, or 0 for no reminders' })
      .int({ error: 'must be a whole number of minutes, e.g. 240, or 0 for no reminders' })
      .min(0, { error: 'must be 0 or more minutes' })
      .default(240)
      .describe('Minutes an approval card waits unanswered before Keel reminds you of it, once; 0 turns reminders off.'),
    APPROVAL_QUIET_HOURS: z
      .string()
      .trim()
      .regex(/^(([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d|off)$/, { error: 'must be a local time range such as 22:00-07:00, or off' })
      .default('22:00-07:00')
      .transform((v) => (v === 'off' ? undefined : v))
      .describe('When approval reminders wait, in TZ (HH:MM-HH:MM, may span midnight), or off. A reminder due then is sent when they end.'),
    DEFAULT_CURRENCY: z
      .string()
      .trim()
      .regex(/^[A-Za-z]{3}$/, { error: 'must be a three-letter ISO 4217 code, e.g. EUR' })
      .transform((v) => v.toUpperCase())
      .default('EUR')
      .describe('Currency used when a request names none.'),
    TZ: z
      .string()
      .trim()
      .default('UTC')
      .refine(
        (zone) => {
          try {
            new Intl.DateTimeFormat('en', { timeZone: zone });
            return true;
          } catch {
            return false;
          }
        },
        { error: 'must be an IANA time zone such as Europe/Berlin or America/New_York' },
      )
      .describe("The operator's time zone: dates in requests, cards and digests are read and shown in it."),
    DIGEST_TIME: dailyTime('08:00').describe('When the daily digest is sent, in TZ (24-hour HH:MM), or off. /digest shows it any time.'),
    DIGEST_TO: z
      .string()
      .default('web,telegram,slack')
      .transform((v) =>
        v
          .split(',')
          .map((c) => c.trim().toLowerCase())
          .filter(Boolean),
      )
      .pipe(z.array(z.enum(['web', 'telegram', 'slack'], { error: 'must list channels among web, telegram, slack, e.g. telegram,web' })))
      .describe('Where the daily digest goes, among the configured chat apps (comma-separated). Other messages go everywhere.'),
    OPERATOR_NAME: z.string().trim().min(1).default('Operator').describe('How Keel names the operator in cards and the audit trail.'),
    // Read into its fields by app.ts (core's parser, which this file, below everything, may not import).
    BUSINESS_PROFILE: optionalText.describe(
      'Your business as invoices name it, in one line: "Dana Consulting, Hauptstr. 1, 10115 Berlin, Germany, VAT DE123456789, IBAN DE89 3704 0044 0532 0130 00, BIC COBADEFFXXX, payment terms 14 days, email dana@example.com" (add "small business" for the § 19 UStG exemption). What you set in chat ("my business: …", /profile) goes over it.',
    ),
    WEB_CHAT_TOKEN: optionalText
      .pipe(z.string().min(16, { error: 'must be at least 16 characters; generate one with `openssl rand -hex 16`' }).optional())
      .describe('Token the web chat asks for when it is served beyond localhost (pass it once as ?token=…). Secret.'),
    PUBLIC_URL: url('this server as a browser reaches it').describe(
      'Address where a browser reaches this server, e.g. https://keel.example.com; workspace login links (/workspace) point there, and with https cookies are Secure. Without it, http://HOST:PORT. Any address but loopback requires WEB_CHAT_TOKEN (behind a proxy every request looks local).',
    ),
    LOG_LEVEL: z
      .enum(['debug', 'info', 'warn', 'error'], { error: 'must be one of debug, info, warn, error' })
      .default('info')
      .describe('Least severe log line printed.'),
    TELEGRAM_BOT_TOKEN: optionalText.describe(
      'Token of the Telegram bot (from @BotFather). With it Keel answers on Telegram, by long polling unless TELEGRAM_WEBHOOK_URL is set. Secret.',
    ),
    TELEGRAM_OPERATOR_IDS: idList(/^\d+$/, '4242,777').describe(
      'Telegram user ids (numbers, comma-separated) allowed to command Keel and press its buttons; everyone else is refused.',
    ),
    TELEGRAM_CHAT_IDS: idList(/^-?\d+$/, '-1001234567890', 'Telegram chat ids (numbers, groups start with -)').describe(
      'Telegram groups (chat ids, comma-separated) where Keel may post replies, cards and client data. Elsewhere but a private chat, Keel answers the operator privately. Sign-in links always go to the private chat.',
    ),
    TELEGRAM_API_ROOT: optionalText
      .pipe(z.string().url({ error: 'must be a full URL, e.g. https://api.telegram.org' }).default('https://api.telegram.org'))
      .describe('Root of the Telegram Bot API: change it for a self-hosted Bot API server (or a test emulator).'),
    TELEGRAM_WEBHOOK_URL: optionalText
      .pipe(z.string().url({ error: 'must be the public https:// URL that reaches /telegram/webhook on this server' }).optional())
      .describe("Public URL that reaches this server's /telegram/webhook. When set, Telegram pushes updates there instead of Keel polling."),
    TELEGRAM_WEBHOOK_SECRET: optionalText
      .pipe(
        z
          .string()
          .regex(/^[A-Za-z0-9_-]{16,256}$/, { error: 'must be 16–256 letters, digits, _ or -; generate one with `openssl rand -hex 32`' })
          .optional(),
      )
      .describe('Secret Telegram sends with every webhook call (X-Telegram-Bot-Api-Secret-Token); calls without it are refused. Secret.'),
    SLACK_BOT_TOKEN: optionalText.describe(
      'Bot token (xoxb-…) of the Slack app. With SLACK_SIGNING_SECRET (HTTP events at /slack/events) or SLACK_APP_TOKEN (Socket Mode) Keel answers on Slack. Secret.',
    ),
    SLACK_SIGNING_SECRET: optionalText.describe('Signing secret of the Slack app; requests to /slack/events without a valid signature are refused. Secret.'),
    SLACK_APP_TOKEN: optionalText
      .pipe(z.string().startsWith('xapp-', { error: 'must be an app-level token starting with xapp- (Basic Information → App-Level Tokens)' }).optional())
      .describe('App-level token (xapp-…) for Socket Mode: Keel connects out to Slack and needs no public URL. Secret.'),
    SLACK_OPERATOR_IDS: idList(/^[UW][A-Z0-9]+$/, 'U012AB3CD').describe(
      'Slack member ids (U…, comma-separated) allowed to command Keel and press its buttons; everyone else is refused.',
    ),
    SLACK_CHANNEL_IDS: idList(/^[CG][A-Z0-9]+$/, 'C012AB3CD', 'Slack channel ids (C… or G…)').describe(
      'Slack channels (ids, comma-separated) where Keel may post replies, cards and client data when mentioned. Elsewhere Keel answers in a direct message. Sign-in links always go to the direct message.',
    ),
    SLACK_API_URL: optionalText
      .pipe(z.string().url({ error: 'must be a full URL ending in /, e.g. https://slack.com/api/' }).default('https://slack.com/api/'))
      .describe('Base URL of the Slack Web API (tests point it at a local server).'),
    SMTP_URL: optionalText
      .pipe(
        z
          .string()
          .regex(/^smtps?:\/\/[^\s]+$/, { error: 'must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.com:587' })
          .optional(),
      )
      .describe(
        'SMTP server for outgoing email, e.g. smtp://user:pass@mail.example.com:587 (smtps:// for TLS from the start). With MAIL_FROM, email is sent through it; without, it lands in OUTBOX_DIR. Secret.',
      ),
    MAIL_FROM: optionalText
      .pipe(
        z
          .string()
          .regex(/^([^<>]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/, { error: 'must be an address or "Name <address>", e.g. Dana Smith <dana@example.com>' })
          .optional(),
      )
      .describe('Sender of every email, "Name <address>" or an address; also the organizer of meeting invitations. Required with SMTP_URL or EMAIL_API_KEY.'),
    EMAIL_API_KEY: optionalText
      .pipe(
        z
          .string()
          .regex(/^\S{8,}$/, { error: 'must be the API key as the email service shows it (e.g. re_… from Resend → API Keys), without spaces' })
          .optional(),
      )
      .describe(
        "Key of an HTTP email API (Resend's POST /emails, sent as Authorization: Bearer). With MAIL_FROM, email is sent through it instead of SMTP or OUTBOX_DIR, each message once per idempotency key (also sent as the Idempotency-Key header); the way to send email from Cloudflare Workers. Secret.",
      ),
    EMAIL_API_URL: optionalText
      .pipe(
        z
          .string()
          .regex(/^https?:\/\/[^\s/]+(\/\S*)?$/, {
            error: 'must be the http(s) root of the email API, e.g. https://api.resend.com (Keel posts to <root>/emails)',
          })
          .optional(),
      )
      .describe(
        'Root of the email API that EMAIL_API_KEY is for; Keel posts to <root>/emails. Empty for https://api.resend.com (tests and self-hosted Resend-compatible relays set it).',
      ),
    IMAP_URL: optionalText
      .pipe(
        z
          .string()
          .regex(/^imaps?:\/\/[^\s:@/]+:[^\s@/]+@[^\s/]+(\/\S*)?$/, {
            error:
              'must be an imap:// or imaps:// URL with user and password, e.g. imaps://me%40example.com:app-password@imap.example.com/INBOX (write @ in the user as %40)',
          })
          .optional(),
      )
      .describe(
        "Mailbox Keel reads client replies from, e.g. imaps://user:pass@imap.example.com:993/INBOX (the path names the folder; INBOX by default). Polled every minute: a reply is attached to its client, recallable, cancels that client's pending reminders, and the sales agent drafts a follow-up for your approval. Secret.",
      ),
    OUTBOX_DIR: z.string().trim().min(1).default('./data/outbox').describe('Folder where email is written as .eml files when no SMTP server is configured.'),
    FILES_DIR: z.string().trim().min(1).default('./data/files').describe('Folder of stored files (invoice PDFs and other artifacts), named by their SHA-256.'),
    S3_ENDPOINT: url('the S3 API').describe(
      'S3-compatible storage for files instead of FILES_DIR, e.g. https://s3.eu-central-1.amazonaws.com, https://<account>.r2.cloudflarestorage.com or a MinIO URL; objects are named by their SHA-256 under S3_BUCKET. Needs S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY.',
    ),
    S3_BUCKET: optionalText
      .pipe(
        z
          .string()
          .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'must be a bucket name: 3–63 lower-case letters, digits, dots or hyphens' })
          .optional(),
      )
      .describe('Bucket that holds the files at S3_ENDPOINT (it must exist).'),
    S3_ACCESS_KEY_ID: optionalText.describe('Access key id for S3_ENDPOINT.'),
    S3_SECRET_ACCESS_KEY: optionalText.describe('Secret access key for S3_ENDPOINT. Secret.'),
    S3_REGION: z.string().trim().min(1).default('us-east-1').describe('Region requests to S3_ENDPOINT are signed for (auto for Cloudflare R2).'),
    CALENDAR_FEED_TOKEN: optionalText
      .pipe(z.string().min(16, { error: 'must be at least 16 characters; generate one with `openssl rand -hex 16`' }).optional())
      .describe('Token of the meeting feed: subscribe a calendar app to /calendar.ics?token=…. Without it the feed is off. Secret.'),
    CALDAV_URL: optionalText
      .pipe(z.string().url({ error: 'must be the full URL of a calendar collection, e.g. https://dav.example.com/dana/calendar/' }).optional())
      .describe(
        'CalDAV calendar (the collection URL) that booked meetings are also written to, and removed from when cancelled, e.g. https://dav.example.com/dana/calendar/. Needs CALDAV_USERNAME and CALDAV_PASSWORD.',
      ),
    CALDAV_USERNAME: optionalText.describe('User name for CALDAV_URL (HTTP Basic).'),
    CALDAV_PASSWORD: optionalText.describe('Password (or app password) for CALDAV_URL. Secret.'),
    STRIPE_API_KEY: optionalText
      .pipe(
        z
          .string()
          .regex(/^(sk|rk)_(test|live)_\w+$/, { error: 'must be a Stripe secret or restricted key (sk_live_…, sk_test_…, rk_…) from Developers → API keys' })
          .optional(),
      )
      .describe(
        'Stripe secret key: with it every invoice gets a Stripe payment link, quoted in its email and switched off when the invoice is voided. Secret.',
      ),
    STRIPE_API_BASE: url('the Stripe API').describe('Root of the Stripe API (tests point it at a local fake); empty for api.stripe.com.'),
    STRIPE_WEBHOOK_SECRET: optionalText
      .pipe(
        z
          .string()
          .regex(/^whsec_\w+$/, { error: 'must be the signing secret of a Stripe webhook endpoint (whsec_…), from Developers → Webhooks' })
          .optional(),
      )
      .describe(
        'Signing secret of the Stripe webhook endpoint PUBLIC_URL/stripe/webhook: with it, a paid invoice is marked paid and you are told, once per payment. Without it the endpoint answers 404. Secret.',
      ),
    CLIENT_LINK_DAYS: positiveInt(90, 'days a client link works, e.g. 90').describe(
      'How long a link to a client page (a proposal, an invoice, a booking page) works after it was made; /revoke ends one sooner.',
    ),
    PROPOSAL_VALID_DAYS: positiveInt(30, 'days a sent proposal can be accepted, e.g. 30').describe(
      'How long after it was sent a proposal can be accepted on its page; after that the page says it expired.',
    ),
    PROPOSAL_TERMS: optionalText.describe(
      'Terms shown under every proposal on its page, e.g. "50% on signature, the rest on delivery; invoices due in 30 days".',
    ),
    BOOKING_HOURS: z
      .string()
      .trim()
      .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/, { error: 'must be a local time range such as 09:00-17:00' })
      .refine((v) => v.slice(0, 5) < v.slice(6), { error: 'must end after it starts, e.g. 09:00-17:00' })
      .default('09:00-17:00')
      .describe('Working hours a booking page offers times in, in TZ (HH:MM-HH:MM).'),
    BOOKING_DAYS: z
      .string()
      .trim()
      .toLowerCase()
      .default('mon,tue,wed,thu,fri')
      .transform((v) => v.split(',').map((d) => d.trim()))
      .pipe(z.array(z.enum(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'], { error: 'must be days such as mon,tue,wed,thu,fri' })).min(1))
      .describe('Days of the week a booking page offers times on, e.g. mon,tue,wed,thu,fri.'),
    BOOKING_MINUTES: positiveInt(30, 'minutes a booked call lasts, e.g. 30').describe('How long a call booked from a booking page lasts.'),
    BOOKING_BUFFER_MINUTES: z.coerce
      .number({ error: 'must be a whole number of minutes, e.g. 15' })
      .int({ error: 'must be a whole number of minutes, e.g. 15' })
      .min(0, { error: 'must be 0 or more minutes' })
      .default(15)
      .describe('Minutes kept free before and after every meeting (and from now) when a booking page offers times.'),
    BOOKING_DAYS_AHEAD: positiveInt(14, 'days ahead a booking page offers, e.g. 14').describe('How many days ahead a booking page offers times.'),
    BOOKING_NEEDS_APPROVAL: z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .default('false')
      .transform((v) => v === 'true')
      .describe('A time a client picks on a booking page waits on an approval card (the slot is held meanwhile); the invitation goes out when you approve it.'),
    WEBHOOK_URL: optionalText
      .pipe(z.string().url({ error: 'must be a full URL, e.g. https://hooks.zapier.com/hooks/catch/…' }).optional())
      .describe('URL that receives Keel events as signed JSON POSTs (webhook.post), for Zapier, n8n or your own script.'),
    WEBHOOK_SECRET: optionalText
      .pipe(z.string().min(16, { error: 'must be at least 16 characters; generate one with `openssl rand -hex 32`' }).optional())
      .describe('Key of the X-Keel-Signature header: hex HMAC-SHA256 of "<X-Keel-Timestamp>.<body>". Required with WEBHOOK_URL. Secret.'),
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalText
      .pipe(
        z
          .string()
          .regex(/^https?:\/\/[^/]/, { error: 'must be the full URL of an OTLP/HTTP receiver (a collector, Jaeger, Tempo…), e.g. http://localhost:4318' })
          .url({ error: 'must be the full URL of an OTLP/HTTP receiver (a collector, Jaeger, Tempo…), e.g. http://localhost:4318' })
          .optional(),
      )
      .describe(
        'OpenTelemetry collector (OTLP over HTTP, JSON); traces go to <it>/v1/traces. With it each turn is a trace: graph nodes, model calls, recall, kernel actions and connector calls, under the ids the audit trail uses. Without it no tracing code is loaded. Node only.',
      ),
    OTEL_INCLUDE_CONTENT: optionalText
      .pipe(z.enum(['true', 'false'], { error: 'must be true or false' }).optional())
      .transform((v) => v === 'true')
      .describe(
        'true puts message text and model answers in the spans (secrets are scrubbed either way); by default spans hold ids, sizes, states and timings only.',
      ),
    OPENAI_EMBEDDING_MODEL: z
      .string()
      .trim()
      .min(1)
      .default('text-embedding-3-small')
      .describe(
        'Embedding model at the OpenAI-compatible endpoint, used by recall when OPENAI_API_KEY or OPENAI_BASE_URL is set; without both Keel embeds locally (hashed-ngram-v1). Changing it re-indexes memory in the background.',
      ),
    COMPACT_AFTER_MESSAGES: positiveInt(40, 'messages, e.g. 40').describe(
      'Once a conversation holds more messages than this, older ones are summarised into memory and leave the working state (the transcript keeps every message).',
    ),
    COMPACT_KEEP_MESSAGES: positiveInt(10, 'messages, e.g. 10').describe(
      'Recent messages kept word for word when a conversation is compacted; must be below COMPACT_AFTER_MESSAGES.',
    ),
    WEB_CHAT_MESSAGES_PER_MINUTE: positiveInt(30, 'messages a minute, e.g. 30').describe(
      'Messages the web chat takes in a minute (over a burst of that size); more are answered 429 "slow down" and not stored. Button taps are not counted.',
    ),
    REFUSAL_QUIET_MINUTES: positiveInt(10, 'minutes, e.g. 10').describe(
      'Someone who is not an operator gets 3 refusals (each audited); then Keel stays quiet towards them for this long: no reply, no audit entry.',
    ),
    CHECKPOINT_HISTORY_TURNS: positiveInt(500, 'turns, e.g. 500').describe(
      'Turns of the conversation kept for /history and /rewind (the newest 20 step by step, older ones at their last step); older checkpoints are deleted in the background. The transcript keeps every message regardless.',
    ),
    MEMORY_INDEX_INTERVAL_SECONDS: positiveInt(60, 'seconds, e.g. 60').describe(
      'How often memory indexes changed records in the background; recall also indexes before every search.',
    ),
    BACKUP_TIME: dailyTime('03:00').describe(
      'When the daily backup of the embedded database and its files is made, in TZ (24-hour HH:MM), or off. npm run backup makes one any time.',
    ),
    BACKUP_DIR: optionalText.describe('Folder backups are written to; without it, a backups folder beside the database file.'),
    BACKUP_KEEP: positiveInt(7, 'backups to keep, e.g. 7').describe(
      'How many backups to keep in BACKUP_DIR; older ones are deleted once a new one is complete.',
    ),
    BACKUP_TO_S3: z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .default('false')
      .transform((v) => v === 'true')
      .describe('Also copy each backup to the S3 bucket of S3_ENDPOINT (under backups/), keeping BACKUP_KEEP there too.'),
    LEASE_SECONDS: z.coerce
      .number({ error: 'must be a number of seconds, e.g. 60' })
      .positive({ error: 'must be greater than zero (seconds, e.g. 60)' })
      .default(60)
      .describe(
        'How long a claim on running work (a scheduled job, an action, a conversation turn) lasts unless its process renews it (every third of it). Recovery in another process takes over only work whose lease ran out, so a process that died is taken over after at most this long.',
      ),
  })
  .superRefine((c, ctx) => {
    const loopback = loopbackHosts.includes(c.HOST);
    // Behind a reverse proxy every request reaches Keel from loopback with a Host the proxy wrote, so a public address needs the token too.
    const publicHost = c.PUBLIC_URL && !loopbackHosts.includes(new URL(c.PUBLIC_URL).hostname) ? new URL(c.PUBLIC_URL).host : undefined;
    if ((!loopback || publicHost) && !c.WEB_CHAT_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['WEB_CHAT_TOKEN'],
        message: !loopback
          ? `is required when HOST is ${c.HOST} (not loopback), so strangers cannot command Keel; set a random token of 16+ characters`
          : `is required when PUBLIC_URL is set (${publicHost}): a proxy makes every request look local, so strangers could command Keel; set a random token of 16+ characters`,
      });
    }
    const need = (when: boolean, key: keyof typeof c, message: string) => {
      if (when) ctx.addIssue({ code: 'custom', path: [key], message });
    };
    need(
      Boolean(c.TELEGRAM_BOT_TOKEN) && !c.TELEGRAM_OPERATOR_IDS.length,
      'TELEGRAM_OPERATOR_IDS',
      'is required with TELEGRAM_BOT_TOKEN, so only you can command Keel; set your numeric Telegram user id (ask @userinfobot)',
    );
    need(Boolean(c.TELEGRAM_WEBHOOK_URL) && !c.TELEGRAM_BOT_TOKEN, 'TELEGRAM_BOT_TOKEN', 'is required when TELEGRAM_WEBHOOK_URL is set');
    need(
      Boolean(c.TELEGRAM_WEBHOOK_URL) && !c.TELEGRAM_WEBHOOK_SECRET,
      'TELEGRAM_WEBHOOK_SECRET',
      'is required when TELEGRAM_WEBHOOK_URL is set, so only Telegram can post updates; generate one with `openssl rand -hex 32`',
    );
    need(
      Boolean(c.SLACK_BOT_TOKEN) && !c.SLACK_SIGNING_SECRET && !c.SLACK_APP_TOKEN,
      'SLACK_SIGNING_SECRET',
      'or SLACK_APP_TOKEN is required with SLACK_BOT_TOKEN: the signing secret for HTTP events, the app token for Socket Mode',
    );
    need(
      Boolean(c.SLACK_SIGNING_SECRET || c.SLACK_APP_TOKEN) && !c.SLACK_BOT_TOKEN,
      'SLACK_BOT_TOKEN',
      'is required when SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set; copy the xoxb- token from OAuth & Permissions',
    );
    need(
      Boolean(c.SLACK_BOT_TOKEN) && !c.SLACK_OPERATOR_IDS.length,
      'SLACK_OPERATOR_IDS',
      'is required with SLACK_BOT_TOKEN, so only you can command Keel; set your Slack member id (profile → ⋮ → Copy member ID)',
    );
    need(
      Boolean(c.SMTP_URL) && !c.MAIL_FROM,
      'MAIL_FROM',
      'is required with SMTP_URL: the address your SMTP server lets you send from, e.g. Dana Smith <dana@example.com>',
    );
    need(
      Boolean(c.EMAIL_API_KEY) && !c.MAIL_FROM,
      'MAIL_FROM',
      'is required with EMAIL_API_KEY: an address on a domain verified at the email API, e.g. Dana Smith <dana@example.com>',
    );
    need(
      Boolean(c.EMAIL_API_KEY && c.SMTP_URL),
      'EMAIL_API_KEY',
      'and SMTP_URL are both set: email goes one way; unset SMTP_URL to send through the email API, or EMAIL_API_KEY to send through SMTP',
    );
    need(Boolean(c.EMAIL_API_URL) && !c.EMAIL_API_KEY, 'EMAIL_API_KEY', 'is required when EMAIL_API_URL is set: the key of that email API');
    const s3 = { S3_ENDPOINT: c.S3_ENDPOINT, S3_BUCKET: c.S3_BUCKET, S3_ACCESS_KEY_ID: c.S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY: c.S3_SECRET_ACCESS_KEY };
    const s3Set = Object.entries(s3)
      .filter(([, v]) => v)
      .map(([k]) => k);
    for (const [key, value] of Object.entries(s3)) {
      need(
        s3Set.length > 0 && !value,
        key as keyof typeof c,
        `is required with ${s3Set.join(', ')}: files on S3 need S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY together`,
      );
    }
    need(Boolean(c.CALDAV_URL) && !c.CALDAV_USERNAME, 'CALDAV_USERNAME', 'is required with CALDAV_URL: the user name of your calendar account');
    need(
      Boolean(c.CALDAV_URL) && !c.CALDAV_PASSWORD,
      'CALDAV_PASSWORD',
      'is required with CALDAV_URL: the password (or an app password) of your calendar account',
    );
    need(
      !c.CALDAV_URL && Boolean(c.CALDAV_USERNAME || c.CALDAV_PASSWORD),
      'CALDAV_URL',
      'is required when CALDAV_USERNAME or CALDAV_PASSWORD is set: the URL of the calendar to write meetings to',
    );
    need(
      c.BACKUP_TO_S3 && !c.S3_ENDPOINT,
      'S3_ENDPOINT',
      'is required when BACKUP_TO_S3 is true, with S3_BUCKET, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY: the bucket backups are copied to',
    );
    need(
      Boolean(c.WEBHOOK_URL) && !c.WEBHOOK_SECRET,
      'WEBHOOK_SECRET',
      'is required with WEBHOOK_URL, so the receiver can check that events come from Keel; generate one with `openssl rand -hex 32`',
    );
    need(
      c.COMPACT_KEEP_MESSAGES >= c.COMPACT_AFTER_MESSAGES,
      'COMPACT_KEEP_MESSAGES',
      `must be below COMPACT_AFTER_MESSAGES (${c.COMPACT_AFTER_MESSAGES}), or compaction would keep every message`,
    );
  });

export type Config = z.infer<typeof configSchema>;

/** Names of settings whose values must never be printed, logged or shown to a model. */
export const secretSettings = [
  'DATABASE_AUTH_TOKEN',
  'OPENAI_API_KEY',
  'TRANSCRIBE_API_KEY',
  'WEB_CHAT_TOKEN',
  'TELEGRAM_BOT_TOKEN',
  'TELEGRAM_WEBHOOK_SECRET',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'SMTP_URL',
  'EMAIL_API_KEY',
  'IMAP_URL',
  'S3_SECRET_ACCESS_KEY',
  'CALDAV_PASSWORD',
  'STRIPE_API_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'CALENDAR_FEED_TOKEN',
  'WEBHOOK_SECRET',
] as const satisfies readonly (keyof Config)[];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Keel cannot start; fix these settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const known = Object.fromEntries(Object.keys(configSchema.shape).map((k) => [k, env[k]]));
  const parsed = configSchema.safeParse(known);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? 'config');
      return `${key} ${issue.message}`;
    }),
  );
}

export function describeSettings(): { name: string; default: string; description: string }[] {
  return Object.entries(configSchema.shape).map(([name, field]) => {
    const parsed = (field as z.ZodType).safeParse(undefined);
    const value = parsed.success ? parsed.data : undefined;
    return {
      name,
      default: value === undefined ? '' : String(value),
      description: (field as z.ZodType).description ?? '',
    };
  });
}
