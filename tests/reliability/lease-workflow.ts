/** Settings shared by the lease tests and their child process: a digest every day at 08:00 UTC, and a lease of two seconds. */
export const digestEnv = { DIGEST_TIME: '08:00', DIGEST_TO: 'web', LEASE_SECONDS: '2', MEMORY_INDEX_INTERVAL_SECONDS: '3600' };
