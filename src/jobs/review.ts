import type { Kernel } from '../kernel/index.js';
import type { Clock } from '../core/clock.js';
import type { Db } from '../storage/index.js';
import { OPERATOR_THREAD, type CommandSet, type Outbound } from '../graph/index.js';
import { composeReviewFigures, monthOf, reviewChart, reviewText, type Month } from '../records/index.js';

export interface ReviewDeps {
  db: Db;
  kernel: Kernel;
  clock: Clock;
  timeZone: string;
  /** SVG → PNG where the platform has a renderer (Node: @resvg/resvg-js); without one the review is text, the charts on the workspace. */
  renderPng?: ((svg: string) => Promise<Uint8Array>) | undefined;
}

/** Base64 without Node's Buffer, so a Worker encodes the same way. */
function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * The review of a month as chat messages: the figures as text and, where the platform renders PNG, the chart as an
 * image stored through the kernel (`files.put`, under `key`, so a repeat stores it once) and sent as a file message.
 */
export async function reviewMessages(deps: ReviewDeps, month: Month, key: string, agent: string): Promise<Outbound[]> {
  const figures = await composeReviewFigures(deps, month, deps.clock.now());
  const messages: Outbound[] = [{ kind: 'text', text: reviewText(figures) }];
  if (deps.renderPng) {
    const name = `review-${month.from.toISOString().slice(0, 7)}.png`;
    const stored = await deps.kernel.execute({
      operation: 'files.put',
      input: { name, contentType: 'image/png', contentBase64: base64(await deps.renderPng(reviewChart(figures))) },
      idempotencyKey: `${key}:chart`,
      agent,
      reason: `The chart of the monthly review for ${month.label}.`,
    });
    const fileId = (stored.result as { fileId?: string } | null)?.fileId;
    if (stored.state === 'succeeded' && fileId) {
      messages.push({
        kind: 'file',
        file: { id: fileId, name, contentType: 'image/png', caption: `Money and pipeline, ${figures.money.map((m) => m.month).join(' – ')}` },
      });
    }
  }
  messages.push({ kind: 'text', text: 'The charts are on the workspace too: /workspace/review (send /workspace for a sign-in link).' });
  return messages;
}

/** On the first of each month: last month's review, sent once (one key per month) through the kernel. */
export async function sendMonthlyReview(deps: ReviewDeps) {
  const month = monthOf(deps.clock.now(), deps.timeZone, -1);
  const key = `review:${OPERATOR_THREAD}:${month.from.toISOString().slice(0, 7)}`;
  const recorded = await deps.kernel.byKey(key);
  if (recorded) return deps.kernel.execute(recorded.id);
  return deps.kernel.execute({
    operation: 'operator.notify',
    input: { kind: 'review', messages: await reviewMessages(deps, month, key, 'operations') },
    idempotencyKey: key,
    agent: 'operations',
    reason: `The monthly review of ${month.label}.`,
  });
}

/** /review: this month so far, any time (the first of each month brings last month's on its own). */
export function reviewCommands(deps: ReviewDeps): CommandSet {
  return {
    review: {
      description: 'The monthly review of this month so far: what each agent did, your decisions, money and pipeline with charts',
      run: ({ eventId }) => reviewMessages(deps, monthOf(deps.clock.now(), deps.timeZone), `review:command:${eventId}`, 'operations'),
    },
  };
}
