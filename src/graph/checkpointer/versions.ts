/**
 * Next version for a channel. Channel values are stored once per (channel,
 * version), so two branches of a forked thread (an update from an older
 * checkpoint) must never mint the same version for different values. As in
 * LangGraph's Python Postgres saver, the integer part counts updates and a random
 * fraction below 1 keeps sibling branches apart; ordering follows the counter.
 */
export function nextChannelVersion(current: number | undefined): number {
  const counter = current === undefined ? 0 : Math.floor(current);
  return counter + 1 + Math.random();
}
