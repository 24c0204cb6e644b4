import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleChild } from './bundle-child.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/clock.js';
import { defaultLease } from '../../src/core/lease.js';
import { tempDatabase } from '../support/db.js';
import { cardsIn, startKeel, withBillingAddress } from '../support/keel.js';
import { batchTap, crashEnv, operator, routine } from './playbook-crash-workflow.js';

/**
 * SIGKILL at every step boundary of a playbook run (crash-points.ts: before each durable write): the playbooks job
 * firing for an accepted proposal (the run opens, its three steps are proposed, the project is made, the approvals
 * are gathered), then the operator's "Approve all" (the welcome email and the 30% deposit invoice, in that order).
 * A new Keel on the same files recovers as `npm start` does, receives Telegram's re-delivery of the tap, and the
 * playbooks job runs again. Each effect must exist exactly once: the project, the email, the invoice and its PDF,
 * two .eml files in the outbox, one gathered message, one run, done.
 */

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const child = join(repoRoot, 'node_modules', '.cache', 'keel-reliability', `playbook-crash-child-${process.pid}.mjs`);
type Phase = 'fire' | 'approve';

function runChild(phase: Phase, url: string, crashAt: number): Promise<{ crashed?: string; boundaries?: string[] }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, phase, url, String(crashAt)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => proc.kill('SIGTERM'), 120_000);
    proc.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      const crashed = /^CRASH \d+ (.*)$/m.exec(out)?.[1];
      const done = /^DONE (.*)$/m.exec(out)?.[1];
      if (crashAt > 0 && signal === 'SIGKILL' && crashed) return resolve({ crashed });
      if (crashAt === 0 && code === 0 && done) return resolve({ boundaries: (JSON.parse(done) as { boundaries: string[] }).boundaries });
      reject(new Error(`child ${phase} (crash point ${crashAt}) ended with ${code ?? signal}:\n${out}${err}`));
    });
  });
}

const folders: string[] = [];
beforeAll(() => bundleChild(new URL('./playbook-crash-child.ts', import.meta.url), child), 60_000);
afterAll(() => {
  for (const path of [child, ...folders]) rmSync(path, { recursive: true, force: true });
});

function copyOf(template: string) {
  const db = tempDatabase('keel-pb-crash-');
  folders.push(db.dir);
  cpSync(template, db.dir, { recursive: true });
  return db;
}

const files = (dir: string, keep: (name: string) => boolean): number =>
  existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile() && keep(f.name)).length : 0;

async function effects(dir: string, count: (table: string) => Promise<number>) {
  return {
    runs: await count('playbook_runs'),
    runsDone: await count("playbook_runs WHERE state = 'done'"),
    stepActions: await count("actions WHERE idempotency_key LIKE 'playbook:%' AND operation <> 'operator.notify'"),
    stepsSucceeded: await count("actions WHERE idempotency_key LIKE 'playbook:%' AND operation <> 'operator.notify' AND state = 'succeeded'"),
    gathered: await count("operator_notices WHERE idempotency_key LIKE 'playbook:%:gathered'"),
    projects: await count('projects'),
    invoices: await count('invoices'),
    // One outbox row per message key; whether it went out is the .eml file (a crash right after writing it leaves the
    // row 'sending', and reconciliation finds the file and records the action done without sending again).
    welcomeEmails: await count("outbox_emails WHERE subject LIKE 'Welcome aboard%'"),
    emlFiles: files(join(dir, 'outbox'), (name) => name.endsWith('.eml')),
    pdfBlobs: files(join(dir, 'files'), (name) => !name.endsWith('.tmp')),
  };
}

const expected = { runs: 1, runsDone: 1, stepActions: 3, stepsSucceeded: 3, gathered: 1, projects: 1, invoices: 1, welcomeEmails: 1, emlFiles: 2, pdfBlobs: 1 };

/** The restarted process runs a lease after the killed one, so recovery may take its work over (see crash-sweep.test.ts). */
const aLeaseLater: Clock = {
  now: () => new Date(Date.now() + defaultLease.ttlMs + 1_000),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Recover as main.ts does, take the re-delivered tap, let the playbooks job run; the operator approves what still waits. */
async function restartAndFinish(phase: Phase, dir: string, url: string) {
  const keel = await startKeel({ url, env: crashEnv, clock: aLeaseLater });
  try {
    await keel.recover();
    await keel.playbooks.tick();
    const [batch] = (await keel.storage.client.execute('SELECT id FROM approval_batches')).rows;
    if (phase === 'approve' || batch) await keel.conversation.handle(batchTap(String(batch!.id)));
    await keel.playbooks.tick();
    return await effects(dir, keel.count);
  } finally {
    keel.close();
  }
}

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

describe('crash at every step boundary of a playbook run', () => {
  it('does each step once and finishes the run, whichever durable write the process dies before', async () => {
    // The starting point: a playbook approved, a client with an address, and their proposal accepted.
    const base = tempDatabase('keel-pb-crash-base-');
    folders.push(base.dir);
    const setup = await startKeel({ url: base.url, env: crashEnv });
    const say = (text: string) =>
      setup.conversation.handle({ ...operator, eventId: `update:${text.length}:${text.slice(0, 20)}`, payload: { kind: 'text', text } });
    await say('Add Beta GmbH as a client, contact Tom tom@beta.test');
    // The deposit is an invoice, and an invoice needs the client's billing address (issue 25's setup question otherwise).
    await withBillingAddress(setup, 'Beta GmbH');
    await say('draft a proposal for Beta: workshop, 40 hours at 100 EUR');
    const [card] = cardsIn((await say(routine)).replies);
    await setup.conversation.handle({ ...operator, eventId: 'callback:1', payload: { kind: 'decision', ref: card!.ref, decision: 'approve' } });
    await say('Beta accepted the proposal');
    setup.close();

    const fired = copyOf(base.dir);
    const fireCensus = await runChild('fire', fired.url, 0);
    const approved = copyOf(fired.dir);
    const approveCensus = await runChild('approve', approved.url, 0);
    const check = await startKeel({ url: approved.url, env: crashEnv });
    expect(await effects(approved.dir, check.count)).toEqual(expected);
    check.close();

    const scenarios = [
      ...fireCensus.boundaries!.map((label, i) => ({ phase: 'fire' as const, template: base.dir, at: i + 1, label })),
      ...approveCensus.boundaries!.map((label, i) => ({ phase: 'approve' as const, template: fired.dir, at: i + 1, label })),
    ];
    const outcomes = await pool(scenarios, async (s) => {
      const db = copyOf(s.template);
      const run = await runChild(s.phase, db.url, s.at);
      const counted = await restartAndFinish(s.phase, db.dir, db.url);
      const wrong = Object.entries(expected).filter(([k, v]) => counted[k as keyof typeof counted] !== v);
      return { ...s, died: run.crashed!, wrong: wrong.map(([k]) => `${k}=${counted[k as keyof typeof counted]}`) };
    });
    const lines = outcomes.map(
      (o) => `  ${o.wrong.length ? 'FAIL' : 'ok  '} ${o.phase.padEnd(7)} #${String(o.at).padStart(2)} before ${o.died} ${o.wrong.join(' ')}`,
    );
    console.log(`playbook crash sweep: ${outcomes.length} scenarios (SIGKILL before each durable write)\n${lines.join('\n')}`);
    expect(outcomes.filter((o) => o.wrong.length)).toEqual([]);
  }, 1_200_000);
});
