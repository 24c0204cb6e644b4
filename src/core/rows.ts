/** The first row a query returns, or undefined: `first(db.select()…)` rather than `(await db.select()…)[0]`. */
export const first = async <T>(rows: PromiseLike<T[]>): Promise<T | undefined> => (await rows)[0];
