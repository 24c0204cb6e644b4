/**
 * Faults of the disk and the database file that Keel cannot fix and the
 * operator can: another process holding the file's lock, a read-only file or
 * disk, a full disk, an I/O error. Each says what happened and what to do.
 */
const FAULTS = [
  [/^SQLITE_(BUSY|LOCKED)/, 'The database is locked by another process', 'Close what holds it (a sqlite3 shell, a copy or sync tool)'],
  [/^SQLITE_READONLY|^EROFS$|^EACCES$/, 'The database file or its folder is read-only', 'Make them writable for Keel'],
  [/^SQLITE_FULL|^ENOSPC$/, 'The disk that holds the database or the files is full', 'Free some space'],
  [
    /^SQLITE_(IOERR|CANTOPEN)/,
    'Keel could not open or write its database file (an I/O error, or a read-only disk)',
    'Check the disk and that the file and its folder are writable',
  ],
] as const;

export interface StorageFault {
  /** The libSQL or file-system code, e.g. SQLITE_BUSY or ENOSPC. */
  code: string;
  /** What happened, e.g. "The database is locked by another process". */
  problem: string;
  /** What the operator does about it. */
  fix: string;
  /**
   * The answer to a message or a tap the fault stopped. The inbox forgets an
   * event whose turn did not finish, and every effect has its key, so sending it again is safe.
   */
  message: string;
}

/** The storage fault behind an error (drizzle and the kernel wrap the libSQL error as a cause), if there is one. */
export function storageFault(error: unknown): StorageFault | undefined {
  for (let cause = error, depth = 0; cause && typeof cause === 'object' && depth < 8; cause = (cause as { cause?: unknown }).cause, depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    const match = FAULTS.find(([pattern]) => pattern.test(code));
    if (match) {
      const [, problem, fix] = match;
      return { code, problem, fix, message: `${problem}; nothing was done twice. ${fix}, then send it again.` };
    }
  }
  return undefined;
}
