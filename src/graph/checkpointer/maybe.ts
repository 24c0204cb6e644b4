/**
 * A value, or the promise of one. Reading a checkpoint is a dozen small loads,
 * nearly all of them plain JSON parsed on the spot; an async function per load
 * makes a promise apiece, and with LangChain's async hooks on, every promise
 * costs (a getTuple made 38, a third of its time). So the read path hands
 * values back where it can, and only a step that meets a promise awaits.
 * Loaded values are never promises themselves (deserialized JSON), so
 * `instanceof Promise` tells the two apart.
 */
export type MaybePromise<T> = T | Promise<T>;

/** `Promise.all`, without a promise when every item is already there. */
export function all<T>(items: MaybePromise<T>[]): MaybePromise<T[]> {
  return items.some((item) => item instanceof Promise) ? Promise.all(items) : (items as T[]);
}

/** `then`, called at once on a value that is already there. (Not named `then`: a module exporting `then` is a thenable, and importing it dynamically would call it.) */
export function andThen<T, U>(value: MaybePromise<T>, next: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return value instanceof Promise ? value.then(next) : next(value);
}
