import type { CommandSet } from '../graph/index.js';
import { composeDigest, type DigestDeps } from './digest.js';

/** /digest: today's digest on request, composed as the daily job composes it (shown, not sent through the kernel). */
export function digestCommands(deps: DigestDeps): CommandSet {
  return { digest: { description: "Today's digest, now", run: () => composeDigest(deps) } };
}
