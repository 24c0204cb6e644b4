import { and, eq, lte } from 'drizzle-orm';
import type { Kernel } from '../kernel/index.js';
import { reminders } from '../connectors/index.js';
import type { Job } from '../kernel/scheduler/index.js';
import type { Clock } from '../core/clock.js';
import type { Db } from '../storage/index.js';
import { localDate } from '../core/zoned-time.js';
import { cardFor, outcomeLine } from '../agents/index.js';
import { composeDigest } from './digest.js';
import { OPERATOR_THREAD, type Outbound } from '../graph/index.js';
import { pollReplies, type ReplyWatchDeps } from './mail-replies.js';
import { remindApprovals } from './approval-reminders.js';

export { composeDigest, type DigestDeps } from './digest.js';
export { digestCommands } from './commands.js';
export { exportCommands } from './export.js';
export { playbookCommands } from './playbook-commands.js';
export { reviewCommands, reviewMessages, sendMonthlyReview } from './review.js';
import { sendMonthlyReview } from './review.js';
export { createPlaybookRunner, stepKey, type PlaybookRunner } from './playbooks.js';
import type { PlaybookRunner } from './playbooks.js';
import { suggestPlaybooks } from './playbook-suggestions.js';
export { suggestPlaybooks, REPEATS_BEFORE_SUGGESTING } from './playbook-suggestions.js';

export interface JobDeps {
  db: Db;
  kernel: Kernel;
  clock: Clock;
  timeZone: string;
  /** "HH:MM" in the operator's time zone, or undefined for no daily digest. */
  digestTime: string | undefined;
  /** With a mailbox to read (IMAP_URL), client replies are read every minute. */
  replies?: ReplyWatchDeps | undefined;
  /** One reminder per unanswered card after this delay, outside quiet hours; undefined for none. */
  approvalReminders?: { afterMinutes: number; quietHours: { start: string; end: string } | undefined } | undefined;
  /**
   * A daily backup at "HH:MM" in the operator's time zone (Node, local database only). A backup is upkeep
   * that never leaves the machine, like memory indexing, so it runs outside the kernel; a repeated run makes one more copy.
   */
  backup?: { time: string; run: () => Promise<void> } | undefined;
  /** SVG → PNG for the monthly review's chart, where the platform has a renderer. */
  renderPng?: ((svg: string) => Promise<Uint8Array>) | undefined;
  /** Playbooks fire for events that happened and their unfinished runs carry on, each minute; a routine repeated three times is offered as one. */
  playbooks?: PlaybookRunner | undefined;
}

/**
 * The digest for the operator's local day, sent through the kernel under one
 * key per operator per day: a catch-up run after downtime, a second process or
 * a repeated tick all end in one digest.
 */
export async function sendDigest(deps: JobDeps) {
  const day = localDate(deps.clock.now(), deps.timeZone);
  return deps.kernel.execute({
    operation: 'operator.notify',
    input: { kind: 'digest', messages: await composeDigest(deps) },
    idempotencyKey: `digest:${OPERATOR_THREAD}:${day}`,
    agent: 'operations',
    reason: `The daily digest for ${day}.`,
  });
}

/**
 * Marks cards past their deadline as expired and tells the operator what was
 * therefore not done, once per card. Recent expired cards are all re-offered
 * to the kernel, so a notice lost to a crash after marking is still sent.
 */
export async function expireCards(deps: JobDeps) {
  await deps.kernel.expireDue();
  for (const action of await deps.kernel.list({ states: ['expired'], limit: 50, order: 'newest' })) {
    const op = deps.kernel.operation(action.operation);
    const messages: Outbound[] = [
      { kind: 'card', card: await cardFor(deps.db, action, op, deps.timeZone) },
      { kind: 'text', text: outcomeLine(action, op, deps.timeZone) },
    ];
    await deps.kernel.execute({
      operation: 'operator.notify',
      input: { kind: 'expiry', messages },
      idempotencyKey: `expired:${action.id}`,
      agent: 'operations',
      reason: `Approval card for action ${action.id} expired.`,
      evidence: [action.id],
    });
  }
}

/** Reminders an agent set that are now due: each is delivered once, under a key of its own. */
export async function fireReminders(deps: JobDeps) {
  const due = await deps.db
    .select()
    .from(reminders)
    .where(and(eq(reminders.status, 'pending'), lte(reminders.dueAt, deps.clock.now())));
  for (const reminder of due) {
    await deps.kernel.execute({
      operation: 'operator.fire_reminder',
      input: { reminderId: reminder.id, messages: [{ kind: 'text', text: `Reminder: ${reminder.text}` }] },
      idempotencyKey: `reminder:${reminder.id}`,
      agent: 'operations',
      reason: `A reminder set on ${localDate(reminder.createdAt, deps.timeZone)} came due.`,
      evidence: [reminder.id, ...(reminder.clientId ? [reminder.clientId] : [])],
    });
  }
}

/** "HH:MM" as a daily cron expression. */
function dailyAt(time: string): string {
  const [hour, minute] = time.split(':').map(Number);
  return `${minute} ${hour} * * *`;
}

/** Everything Keel does on a schedule; Node ticks these on an interval, Workers from Cron Triggers. */
export function keelJobs(deps: JobDeps): Job[] {
  const jobs: Job[] = [
    { name: 'expire-approvals', cron: '*/5 * * * *', timeZone: 'UTC', run: () => expireCards(deps) },
    { name: 'reminders', cron: '* * * * *', timeZone: 'UTC', run: () => fireReminders(deps) },
  ];
  if (deps.digestTime)
    jobs.push({ name: 'daily-digest', cron: dailyAt(deps.digestTime), timeZone: deps.timeZone, run: async () => void (await sendDigest(deps)) });
  // On the first of each month at the digest's hour (08:00 without one), in the operator's zone.
  const [reviewHour, reviewMinute] = (deps.digestTime ?? '08:00').split(':').map(Number);
  jobs.push({
    name: 'monthly-review',
    cron: `${reviewMinute} ${reviewHour} 1 * *`,
    timeZone: deps.timeZone,
    run: async () => void (await sendMonthlyReview(deps)),
  });
  const runner = deps.playbooks;
  if (runner)
    jobs.push({
      name: 'playbooks',
      cron: '* * * * *',
      timeZone: 'UTC',
      run: async () => {
        await runner.tick();
        await suggestPlaybooks(deps);
      },
    });
  if (deps.backup) jobs.push({ name: 'backup', cron: dailyAt(deps.backup.time), timeZone: deps.timeZone, run: deps.backup.run });
  const reminding = deps.approvalReminders;
  if (reminding)
    jobs.push({ name: 'approval-reminders', cron: '* * * * *', timeZone: 'UTC', run: async () => void (await remindApprovals({ ...deps, ...reminding })) });
  const replies = deps.replies;
  if (replies) jobs.push({ name: 'read-replies', cron: '* * * * *', timeZone: 'UTC', run: async () => void (await pollReplies(replies)) });
  return jobs;
}
