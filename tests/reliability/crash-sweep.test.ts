import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleChild } from './bundle-child.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/clock.js';
import { defaultLease } from '../../src/core/lease.js';
import type { Outbound } from '../../src/graph/index.js';
import { tempDatabase } from '../support/db.js';
import { startKeel, textIn, withBillingAddress } from '../support/keel.js';
import { crashEnvWith, MODEL_URL_VARIABLE, operator, raiseEvent, tapEvent } from './crash-workflow.js';
import { startRealisticModel, type RealisticModel } from '../support/realistic-model.js';

/**
 * Crash at every step boundary of an approval workflow (an invoice asked for
 * on Telegram, approved with a tap, issued as a PDF and emailed through the
 * local outbox). A census run lists every durable write each step makes; then,
 * for each one, a fresh child process is SIGKILLed right before it. A new Keel
 * on the same files recovers as `npm start` does, receives Telegram's
 * re-delivery of the unacknowledged update, and the workflow is finished.
 * Effects are counted where they land: invoice rows, stored PDFs, .eml files
 * in the outbox folder.
 */

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
// Inside the project, so the bundle's imports of packages resolve to its node_modules.
const child = join(repoRoot, 'node_modules', '.cache', 'keel-reliability', `crash-child-${process.pid}.mjs`);
type Phase = 'raise' | 'approve';

interface ChildRun {
  crashed?: string;
  done?: { status: string; boundaries: string[] };
}

/** Runs the child step; it either SIGKILLs itself at the crash point or reports the boundaries it passed. */
function runChild(phase: Phase, url: string, crashAt: number, modelUrl: string | undefined): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...(modelUrl ? { [MODEL_URL_VARIABLE]: modelUrl } : {}) };
    const proc = spawn(process.execPath, [child, phase, url, String(crashAt)], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    // A child that neither crashes nor finishes is a failure to report, not a hang of the suite.
    const timer = setTimeout(() => proc.kill('SIGTERM'), 120_000);
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      const crashed = /^CRASH \d+ (.*)$/m.exec(out)?.[1];
      const done = /^DONE (.*)$/m.exec(out)?.[1];
      if (crashAt > 0 && signal === 'SIGKILL' && crashed) return resolve({ crashed });
      if (crashAt === 0 && code === 0 && done) return resolve({ done: JSON.parse(done) as ChildRun['done'] });
      reject(new Error(`child ${phase} (crash point ${crashAt}) ended with ${code ?? signal}:\n${out}${err}`));
    });
  });
}

const folders: string[] = [];
let model: RealisticModel;
beforeAll(async () => {
  await bundleChild(new URL('./crash-child.ts', import.meta.url), child);
  model = await startRealisticModel();
}, 60_000);
afterAll(async () => {
  await model.close();
  [child, ...folders].forEach((path) => rmSync(path, { recursive: true, force: true }));
});

/** A copy of a prepared database folder (database, files, outbox), so each scenario starts from the same state. */
function copyOf(template: string) {
  const db = tempDatabase('keel-crash-');
  folders.push(db.dir);
  cpSync(template, db.dir, { recursive: true });
  return db;
}

const files = (dir: string, keep: (name: string) => boolean): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((f) => f.isFile() && keep(f.name))
        .map((f) => join(f.parentPath, f.name))
    : [];

/** What the outside world and the ledger hold after the workflow finished. */
async function effects(dir: string, count: (table: string) => Promise<number>) {
  return {
    invoices: await count('invoices'),
    invoiceActions: await count("actions WHERE operation = 'invoices.issue'"),
    succeeded: await count("actions WHERE operation = 'invoices.issue' AND state = 'succeeded'"),
    decided: await count("actions WHERE operation = 'invoices.issue' AND decided_by IS NOT NULL"),
    // The decision's audit entry: a crash between the decision and its entry is made good from the ledger at restart.
    decisionEntries: await count("audit_log WHERE event = 'approved' AND action_id IN (SELECT id FROM actions WHERE operation = 'invoices.issue')"),
    mailRows: await count("outbox_emails WHERE status = 'sent'"),
    emlFiles: files(join(dir, 'outbox'), (name) => name.endsWith('.eml')).length,
    pdfBlobs: files(join(dir, 'files'), (name) => !name.endsWith('.tmp')).length,
  };
}

const expected = { invoices: 1, invoiceActions: 1, succeeded: 1, decided: 1, decisionEntries: 1, mailRows: 1, emlFiles: 1, pdfBlobs: 1 };

/**
 * The restarted process runs once the killed child's leases ran out (sooner, recovery leaves its work alone:
 * tests/reliability/leases.test.ts). Its clock runs a lease ahead rather than the test waiting a minute per
 * scenario; the child keeps the default lease, so no heartbeat write falls inside its step and the census of
 * boundaries stays the same from run to run.
 */
const aLeaseLater: Clock = {
  now: () => new Date(Date.now() + defaultLease.ttlMs + 1_000),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** The restarted process: recover as main.ts does, take Telegram's re-delivery, and finish the workflow as the operator would. */
async function restartAndFinish(phase: Phase, dir: string, url: string, modelUrl: string | undefined) {
  const keel = await startKeel({ url, env: crashEnvWith(modelUrl), clock: aLeaseLater });
  const heard: Outbound[] = [];
  keel.hub.subscribe((message) => heard.push(message));
  try {
    await keel.recover();
    const card = async () => (await keel.kernel.list({ states: ['awaiting_approval'] }))[0];
    if (phase === 'raise') {
      heard.push(...(await keel.conversation.handle(raiseEvent)).replies);
      // The operator approves the card, whether it came back in the re-delivery's reply or is listed by /pending.
      heard.push(...(await keel.conversation.handle({ ...operator, eventId: 'update:1003', payload: { kind: 'text', text: '/pending' } })).replies);
      const open = await card();
      if (open?.cardRef) heard.push(...(await keel.conversation.handle(tapEvent(open.cardRef))).replies);
    } else {
      // Only the tap's re-delivery: the operator does nothing more.
      const [invoice] = (await keel.kernel.list()).filter((a) => a.operation === 'invoices.issue');
      heard.push(...(await keel.conversation.handle(tapEvent(invoice!.cardRef!))).replies);
    }
    // The operator learns the outcome: a text naming the invoice, or the card itself shown as done.
    const done = (await keel.kernel.list()).find((a) => a.operation === 'invoices.issue' && a.state === 'succeeded');
    const told =
      /invoice \d{4}-0001/.test(textIn(heard)) || heard.some((m) => m.kind === 'card' && m.card.ref === done?.cardRef && m.card.state === 'succeeded');
    return { ...(await effects(dir, keel.count)), told, open: (await card()) !== undefined };
  } finally {
    keel.close();
  }
}

/** Runs `work` over `items`, two at a time (the suite's budget is two cores). */
async function pool<T, R>(items: T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all([lane(), lane()]);
  return results;
}

/**
 * The sweep, with the offline model or with the realistic model server: the
 * latter answers the restarted process's replay with new tool-call ids, so
 * only keys derived from the request (not the model) keep it to one effect.
 */
async function sweep(modelUrl: string | undefined) {
  // The starting point: a client with an email address, so the invoice is emailed too, and the billing address an invoice needs.
  const base = tempDatabase('keel-crash-base-');
  folders.push(base.dir);
  const setup = await startKeel({ url: base.url, env: crashEnvWith(modelUrl) });
  await setup.say('Add Acme Corp as a client, contact dana@acme.test');
  await withBillingAddress(setup, 'Acme Corp');
  setup.close();

  // Census runs: each step once without a crash; the raised card is the starting point of the approve step.
  const raised = copyOf(base.dir);
  const raiseCensus = await runChild('raise', raised.url, 0, modelUrl);
  const approved = copyOf(raised.dir);
  const approveCensus = await runChild('approve', approved.url, 0, modelUrl);
  const check = await startKeel({ url: approved.url, env: crashEnvWith(modelUrl) });
  expect(await effects(approved.dir, check.count)).toEqual(expected);
  check.close();

  const scenarios = [
    ...raiseCensus.done!.boundaries.map((label, i) => ({ phase: 'raise' as const, template: base.dir, at: i + 1, label })),
    ...approveCensus.done!.boundaries.map((label, i) => ({ phase: 'approve' as const, template: raised.dir, at: i + 1, label })),
  ];
  const only = process.env.CRASH_ONLY?.split(','); // e.g. "approve:12,raise:3", to replay some scenarios
  const outcomes = await pool(only ? scenarios.filter((s) => only.includes(`${s.phase}:${s.at}`)) : scenarios, async (s) => {
    const db = copyOf(s.template);
    const run = await runChild(s.phase, db.url, s.at, modelUrl);
    const after = await restartAndFinish(s.phase, db.dir, db.url, modelUrl);
    const { told, open, ...counted } = after;
    const lost = Object.entries(expected)
      .filter(([k, v]) => counted[k as keyof typeof counted] < v)
      .map(([k]) => k);
    const doubled = Object.entries(expected)
      .filter(([k, v]) => counted[k as keyof typeof counted] > v)
      .map(([k]) => k);
    return { ...s, died: run.crashed!, counted, told, open, lost, doubled, survived: !lost.length && !doubled.length && told && !open };
  });

  const lines = outcomes.map(
    (o) =>
      `  ${o.survived ? 'ok  ' : 'FAIL'} ${o.phase.padEnd(7)} #${String(o.at).padStart(2)} before ${o.died}${o.survived ? '' : `  lost=[${o.lost}] doubled=[${o.doubled}] told=${o.told} open=${o.open}`}`,
  );
  const survived = outcomes.filter((o) => o.survived).length;
  console.log(
    `crash sweep (${modelUrl ? 'realistic model' : 'offline model'}): ${outcomes.length} scenarios tried (SIGKILL before each durable write), ${survived} survived with 0 lost and 0 duplicated effects\n${lines.join('\n')}`,
  );
  expect(outcomes.filter((o) => !o.survived)).toEqual([]);
}

describe('crash at every step boundary of an approval', () => {
  it('loses nothing and doubles nothing, whichever durable write the process dies before', () => sweep(undefined), 900_000);
  it('holds with a model that answers every replay with new tool-call ids', () => sweep(model.url), 900_000);
});
