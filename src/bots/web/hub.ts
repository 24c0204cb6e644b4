import type { Outbound } from '../../graph/index.js';

type Listener = (message: Outbound) => void;

/** Fan-out of replies that did not come from a browser request (other apps, recovery after restart) to open web chats. */
export function createReplyHub() {
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

export type ReplyHub = ReturnType<typeof createReplyHub>;
