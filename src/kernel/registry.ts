import type { Clock } from '../core/clock.js';
import type { Connector, Operation } from './connector.js';
import { InvalidConnectors, UnknownOperation } from './errors.js';
import { tokenBucket } from './rate-limit.js';

export interface Registered {
  op: Operation;
  /** Resolves when the operation's connector may be called again. */
  pace: () => Promise<void>;
}

export interface Registry {
  /** The operation and its connector's rate limiter; throws UnknownOperation naming the known ones. */
  resolve(name: string): Registered;
}

/** Operations by name, each with its connector's shared rate limiter. */
export function createRegistry(connectors: Connector[], clock: Clock): Registry {
  const byName = new Map<string, Registered>();
  for (const connector of connectors) {
    const limit = connector.rateLimit;
    if (limit && !(limit.perSecond > 0 && limit.burst >= 1)) {
      throw new InvalidConnectors(`Connector "${connector.name}" has rateLimit ${JSON.stringify(limit)}; perSecond must be above 0 and burst at least 1.`);
    }
    const pace = limit ? tokenBucket(limit, clock) : () => Promise.resolve();
    for (const op of connector.operations) {
      if (byName.has(op.name)) {
        throw new InvalidConnectors(`Operation "${op.name}" is declared twice; operation names must be unique.`);
      }
      byName.set(op.name, { op, pace });
    }
  }
  return {
    resolve(name: string): Registered {
      const found = byName.get(name);
      if (!found) throw new UnknownOperation(name, [...byName.keys()]);
      return found;
    },
  };
}
