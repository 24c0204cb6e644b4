import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { databaseFile } from './node-sql.js';

/**
 * Who is using a local database file: a marker per process in `<file>.lease/`,
 * touched every few seconds while the process lives. Keel holds one while it
 * runs and a restore holds one while it replaces the file, so neither starts
 * under the other. Two Keel processes on one file are allowed (the kernel's
 * keys make them safe), so markers never exclude each other's kind.
 */
export type LeaseKind = 'keel' | 'restore';

const HEARTBEAT_MS = 5_000;
/** A marker from another host (a container) counts as live while its heartbeat is this fresh. */
const STALE_AFTER_MS = 30_000;

const Marker = (kind: LeaseKind, host: string, pid: number) => `${kind}-${host}-${pid}.json`;

export interface LeaseHolder {
  kind: LeaseKind;
  host: string;
  pid: number;
  startedAt: string;
  marker: string;
}

export class DatabaseBusyError extends Error {
  constructor(
    readonly holders: LeaseHolder[],
    file: string,
  ) {
    const who = holders.map((h) => `${h.kind === 'keel' ? 'Keel' : 'a restore'} (pid ${h.pid} on ${h.host}, since ${h.startedAt})`).join(', ');
    super(`${file} is in use by ${who}. Stop it first; if that process is gone, delete ${holders.map((h) => h.marker).join(', ')}.`);
    this.name = 'DatabaseBusyError';
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** The live holders of a database file's lease; markers of processes that are gone are removed. Remote databases have none. */
export async function leaseHolders(databaseUrl: string): Promise<LeaseHolder[]> {
  const file = databaseFile(databaseUrl);
  if (!file) return [];
  const dir = `${file}.lease`;
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw error;
  });
  const holders: LeaseHolder[] = [];
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const marker = join(dir, name);
    const read = await Promise.all([readFile(marker, 'utf8'), stat(marker)]).catch((error: NodeJS.ErrnoException) => {
      // Released between the listing and the read: that holder is gone.
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!read) continue;
    const [content, info] = read;
    const holder = { ...(JSON.parse(content) as Omit<LeaseHolder, 'marker'>), marker };
    const live = holder.host === hostname() ? alive(holder.pid) : Date.now() - info.mtimeMs < STALE_AFTER_MS;
    if (live) holders.push(holder);
    else await rm(marker, { force: true });
  }
  return holders;
}

/**
 * Takes this process's marker on a local database file, after checking that
 * no process of a kind in `refuse` holds one; returns the release function.
 */
export async function holdLease(databaseUrl: string, kind: LeaseKind, refuse: LeaseKind[]): Promise<() => Promise<void>> {
  const file = databaseFile(databaseUrl);
  if (!file) return async () => {};
  const blocking = (await leaseHolders(databaseUrl)).filter((h) => refuse.includes(h.kind) && !(h.host === hostname() && h.pid === process.pid));
  if (blocking.length) throw new DatabaseBusyError(blocking, file);
  const dir = `${file}.lease`;
  await mkdir(dirname(file), { recursive: true });
  // Not recursive: on a read-only disk a recursive mkdir reports ENOENT, this one EROFS, which says what is wrong.
  await mkdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  const marker = join(dir, Marker(kind, hostname(), process.pid));
  await writeFile(marker, JSON.stringify({ kind, host: hostname(), pid: process.pid, startedAt: new Date().toISOString() }));
  const beat = setInterval(() => {
    const now = new Date();
    // A missed beat only matters across hosts, where the marker then reads as stale after 30 s.
    utimes(marker, now, now).catch(() => {});
  }, HEARTBEAT_MS);
  beat.unref();
  return async () => {
    clearInterval(beat);
    await rm(marker, { force: true });
  };
}
