import type { ExecutionContext } from 'hono';
import { ConfigError, loadConfig } from './config.js';
import { createKeel, type Keel } from './app.js';
import { workersNotices, workersPlatform, workersProblems } from './platform/workers.js';

/** The Worker's bindings: [vars] from wrangler.toml and secrets from `wrangler secret put`, read by the same schema as Node's environment. */
type Env = Record<string, unknown>;

let booting: Promise<Keel> | undefined;

/** One Keel per isolate, built at its first event; a start that failed is tried again at the next one. */
function keelFor(env: Env): Promise<Keel> {
  booting ??= boot(env).catch((error: unknown) => {
    booting = undefined;
    throw error;
  });
  return booting;
}

async function boot(env: Env): Promise<Keel> {
  const settings = Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  const config = loadConfig(settings);
  const problems = workersProblems(config);
  if (problems.length) throw new ConfigError(problems);
  const keel = await createKeel({ config, platform: workersPlatform });
  for (const notice of workersNotices(config)) keel.logger.warn(`on Workers: ${notice}`);
  // No recovery here: other isolates may be mid-action while this one boots. The cron tick recovers what lost its lease.
  // Telegram: getMe and (re)registering the webhook with its secret; Slack: auth.test. A wrong token stops here, clearly.
  await keel.startBots();
  await keel.scheduler.sync();
  return keel;
}

/** A Worker that cannot start answers every request with why, and logs it once per attempt. */
function startFailure(error: unknown): Response {
  const message = error instanceof ConfigError ? error.message : `Keel could not start: ${error instanceof Error ? error.message : String(error)}`;
  console.error(message);
  return new Response(`${message}\n`, { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

/**
 * Cloudflare Workers entry: the same hono app as on Node (web chat, Telegram
 * webhook, Slack events, calendar feed), and Cron Triggers driving the same
 * scheduler jobs (digest, reminders, card expiry) that Node ticks on a timer.
 */
export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    let keel: Keel;
    try {
      keel = await keelFor(env);
    } catch (error) {
      return startFailure(error);
    }
    const response = await keel.http.fetch(request, env, ctx);
    // Slack is answered at the ack; the listener's reply goes on after the response, which a Worker allows only under waitUntil.
    ctx.waitUntil(keel.settled());
    return response;
  },

  async scheduled(_controller: unknown, env: Env): Promise<void> {
    const keel = await keelFor(env);
    // Leases make recovery safe beside isolates still at work: it takes over only what a dead or evicted isolate left.
    await keel.recover();
    await keel.scheduler.tick();
  },
};
