import type { Outbound } from '../../graph/index.js';

type Listener = (message: Outbound) => void;

export interface ReplyHub {
  /** Hands each message to every open web chat, synchronously. */
  publish(messages: Outbound[]): void;
  /** Adds a listener; the returned function removes it. */
  subscribe(listener: Listener): () => boolean;
}

/** Fan-out of replies that did not come from a browser request (other apps, recovery after restart) to open web chats. */
export function createReplyHub(): ReplyHub {
  const listeners = new Set<Listener>();
  return {
    publish(messages: Outbound[]) {
      for (const message of messages) for (const listener of listeners) listener(message);
    },
    subscribe(listener: Listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
