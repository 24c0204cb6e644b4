import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from '../../core/logger.js';

const text = (parts: unknown[]) => parts.map((p) => (p instanceof Error ? p.message : typeof p === 'string' ? p : JSON.stringify(p))).join(' ');

/** Bolt and its Web API client log through Keel's logger, so their lines are levelled and scrubbed of secrets too. */
export function boltLogger(logger: Logger): BoltLogger {
  let level = LogLevel.INFO;
  return {
    debug: (...parts: unknown[]) => logger.debug(`slack: ${text(parts)}`),
    info: (...parts: unknown[]) => logger.info(`slack: ${text(parts)}`),
    warn: (...parts: unknown[]) => logger.warn(`slack: ${text(parts)}`),
    error: (...parts: unknown[]) => logger.error(`slack: ${text(parts)}`),
    // Keel's LOG_LEVEL decides what is printed; Bolt's own level is only remembered for Bolt.
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}
