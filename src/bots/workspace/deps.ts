import type { BillingDetails } from '../../core/billing-details.js';
import type { Clock } from '../../core/clock.js';
import type { Conversation } from '../../graph/index.js';
import type { Kernel } from '../../kernel/index.js';
import type { Memory } from '../../memory/index.js';
import type { Timeline } from '../../graph/index.js';
import type { Db } from '../../storage/index.js';

/**
 * What the workspace reads through and acts through: the kernel's ledger and
 * audit, memory, the thread's timeline, and the conversation — the same door
 * every chat app's messages and taps go through.
 */
export interface WorkspaceDeps {
  db: Db;
  kernel: Kernel;
  conversation: Conversation;
  memory: Memory;
  timeline: Timeline;
  clock: Clock;
  timeZone: string;
  /** The embedded local default (no WEB_CHAT_TOKEN): loopback visitors need no login, as in the web chat. */
  loopbackOpen: boolean;
  /** Whether a sender is one of the configured operators now: sessions and the pause switch are checked with it on every request. */
  isOperator(sender: string): boolean;
  /** PUBLIC_URL is https, so the session cookie is Secure even when a proxy hands Keel plain http. */
  publicHttps: boolean;
  /** BUSINESS_PROFILE, under what was set in chat: the business profile section shows both merged. */
  profile?: BillingDetails | undefined;
}

/** The signed-in visitor and the token their forms carry. */
export interface Seat {
  operator: string;
  token: string;
}
