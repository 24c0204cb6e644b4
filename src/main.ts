import { serve } from '@hono/node-server';
import { ConfigError, loadConfig, secretSettings } from './config.js';
import { createRedactor } from './core/logger.js';
import { createKeel } from './app.js';
import { nodePlatform } from './platform/node.js';
import { imapMailbox } from './connectors/email/imap.js';
import { holdLease } from './platform/lease.node.js';
import { storageFault } from './storage/index.js';

/** Node entry: one process, a local libSQL file by default, the web chat on PORT. */
async function main() {
  const config = loadConfig(process.env);
  // Marks the database as in use, so `npm run restore` refuses to replace it under this process (and this one does not start while a restore replaces it).
  const releaseLease = await holdLease(config.DATABASE_URL, 'keel', ['restore']);
  // Loaded only when asked for: without an endpoint no OpenTelemetry code runs.
  const tracing = config.OTEL_EXPORTER_OTLP_ENDPOINT
    ? (await import('./platform/tracing.node.js')).otlpTracing({
        endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT,
        includeContent: config.OTEL_INCLUDE_CONTENT,
        redact: createRedactor(secretSettings.map((k) => config[k])),
      })
    : undefined;
  // Node-only clients are built here, so app.ts stays platform-neutral.
  const keel = await createKeel({
    config,
    platform: nodePlatform,
    mailbox: config.IMAP_URL ? imapMailbox(config.IMAP_URL) : undefined,
    tracer: tracing?.tracer,
  });
  await keel.recover();
  // Work of a process that dies later (or of this one's predecessor, still under its lease at start) is taken over once its lease runs out.
  const recovering = setInterval(() => {
    keel.recover().catch((error: unknown) => keel.logger.error('recovery failed; it runs again at the next interval', { error }));
  }, keel.lease.ttlMs);
  await keel.startBots();
  // A tick right away sends what came due while Keel was down (a missed digest), once.
  await keel.scheduler.sync();
  await keel.scheduler.tick();
  keel.scheduler.start();
  const server = serve({ fetch: keel.http.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
    keel.logger.info(`Keel is running: web chat at http://${config.HOST === '::1' ? '[::1]' : config.HOST}:${info.port}/`, {
      database: config.DATABASE_URL.startsWith('file:') ? config.DATABASE_URL : 'remote',
    });
  });
  const stop = () => {
    keel.scheduler.stop();
    clearInterval(recovering);
    server.close();
    keel.stopBots().then(
      async () => {
        keel.close();
        await tracing?.shutdown();
        await releaseLease();
        process.exit(0);
      },
      (error: unknown) => {
        keel.logger.error('Keel did not stop cleanly', { error });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const fault = storageFault(error);
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else if (fault) {
    console.error(`Keel could not start: ${fault.problem} (${fault.code}). ${fault.fix}, then start it again.`);
  } else {
    console.error(`Keel could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
});
