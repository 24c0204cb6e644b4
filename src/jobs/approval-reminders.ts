import { recordedKeys, type Kernel } from '../kernel/index.js';
import type { Clock } from '../core/clock.js';
import type { Db } from '../storage/index.js';
import { shortUtc } from '../core/zoned-time.js';
import { cardFor } from '../agents/index.js';
import type { Outbound } from '../graph/index.js';

export interface ApprovalReminderDeps {
  db: Db;
  kernel: Kernel;
  clock: Clock;
  timeZone: string;
  /** How long a card waits unanswered before its one reminder. */
  afterMinutes: number;
  /** Local "HH:MM" start and end of the operator's quiet hours, or undefined for none; a window may span midnight. */
  quietHours: { start: string; end: string } | undefined;
}

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
};

/** Whether `now` falls in the quiet window, read on the operator's wall clock. */
export function inQuietHours(now: Date, timeZone: string, quiet: { start: string; end: string } | undefined): boolean {
  if (!quiet) return false;
  const [h, m] = now.toLocaleTimeString('en-GB', { timeZone, hour12: false, hour: '2-digit', minute: '2-digit' }).split(':').map(Number);
  const local = (h! % 24) * 60 + m!;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  return start <= end ? local >= start && local < end : local >= start || local < end;
}

const reminderKey = (actionId: string) => `approval-reminder:${actionId}`;

/**
 * Reminds the operator once of each card that waited `afterMinutes` without an
 * answer. The send goes through the kernel under one key per card, so a
 * repeated tick, a restart or a second process reminds once; during quiet
 * hours nothing is sent and the next tick after them catches up.
 */
export async function remindApprovals(deps: ApprovalReminderDeps): Promise<string[]> {
  const now = deps.clock.now();
  if (inQuietHours(now, deps.timeZone, deps.quietHours)) return [];
  const dueBefore = now.getTime() - deps.afterMinutes * 60_000;
  const waiting = (await deps.kernel.list({ states: ['awaiting_approval'], limit: 100 })).filter(
    (a) => a.createdAt.getTime() <= dueBefore && (!a.expiresAt || a.expiresAt > now),
  );
  if (!waiting.length) return [];
  const sent = await recordedKeys(
    deps.db,
    waiting.map((a) => reminderKey(a.id)),
  );
  const reminded: string[] = [];
  for (const action of waiting) {
    if (sent.has(reminderKey(action.id))) continue;
    const op = deps.kernel.operation(action.operation);
    const hours = Math.round((now.getTime() - action.createdAt.getTime()) / 3_600_000);
    const messages: Outbound[] = [
      {
        kind: 'text',
        text: `Reminder: this card has waited ${hours >= 1 ? `${hours} h` : 'a while'} for you (${op.summary}). It expires ${action.expiresAt ? shortUtc(action.expiresAt) : 'at its deadline'}; until then nothing happens.`,
      },
      { kind: 'card', card: await cardFor(deps.db, action, op, deps.timeZone) },
    ];
    await deps.kernel.execute({
      operation: 'operator.notify',
      input: { kind: 'approval-reminder', messages },
      idempotencyKey: reminderKey(action.id),
      agent: 'operations',
      reason: `Approval card for action ${action.id} waited ${deps.afterMinutes} minutes unanswered.`,
      evidence: [action.id],
    });
    reminded.push(action.id);
  }
  return reminded;
}
