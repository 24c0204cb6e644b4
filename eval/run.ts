import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { AIMessage } from '@langchain/core/messages';
import type { LLMResult } from '@langchain/core/outputs';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { createChatModel, agentTools } from '../src/agents/index.js';
import { ManualClock } from '../src/core/clock.js';
import { resolveClient } from '../src/records/index.js';
import type { Action } from '../src/kernel/index.js';
import type { Db } from '../src/storage/index.js';
import { intentOf, type EvalCase, type ExpectedCall } from './corpus.js';
import { buildTemplate, cardsIn, copyTemplate, EVAL_NOW, modelSettings, openEvalKeel, textIn, type ModelChoice, type Template } from './keel.js';

/** The kernel operations each effect tool proposes; a tool that is not listed only reads. */
const operationsOf: Partial<Record<string, string[]>> = {
  add_client: ['records.upsert_client'],
  remember_note: ['records.add_note'],
  // A proposal for a name Keel has never seen adds that prospect first.
  draft_proposal: ['records.draft_proposal', 'records.upsert_client'],
  draft_followup: ['email.send'],
  create_invoice: ['invoices.issue'],
  record_payment: ['invoices.record_payment'],
  void_invoice: ['invoices.void'],
  log_time: ['records.log_time'],
  bill_time: ['invoices.issue'],
  schedule_meeting: ['calendar.book'],
  set_reminder: ['operator.schedule_reminder'],
  draft_post: ['records.save_draft_post'],
  add_project: ['memory.add_project'],
  record_proposal_outcome: ['memory.record_proposal_outcome'],
  send_proposal: ['proposals.send'],
  add_task: ['memory.add_task'],
  complete_task: ['memory.complete_task'],
  link_identity: ['memory.link_identity'],
  propose_rule: ['rules.create'],
  propose_playbook: ['playbooks.create'],
  set_business_profile: ['records.set_profile'],
  set_client_billing: ['records.set_client_billing'],
  // An edited card is replaced by a new action of its own kind.
  revise_action: ['invoices.issue', 'email.send', 'calendar.book'],
};
const agentToolNames = new Set(Object.keys(agentTools));

export interface ToolCallSeen {
  name: string;
  args: Record<string, unknown>;
}

/**
 * Counts what the model under test did, from LangChain's callbacks: calls,
 * tokens (the usage the endpoint reported, 0 for the offline model) and the
 * tool calls of every answer.
 */
export class ModelRecorder extends BaseCallbackHandler {
  name = 'keel-eval-recorder';
  calls = 0;
  promptTokens = 0;
  completionTokens = 0;
  toolCalls: ToolCallSeen[] = [];

  reset(): void {
    this.calls = 0;
    this.promptTokens = 0;
    this.completionTokens = 0;
    this.toolCalls = [];
  }

  override handleChatModelStart(): void {
    this.calls += 1;
  }

  override handleLLMEnd(output: LLMResult): void {
    for (const generation of output.generations.flat()) {
      const message = 'message' in generation ? generation.message : undefined;
      if (!(message instanceof AIMessage)) continue;
      this.promptTokens += message.usage_metadata?.input_tokens ?? 0;
      this.completionTokens += message.usage_metadata?.output_tokens ?? 0;
      for (const call of message.tool_calls ?? []) this.toolCalls.push({ name: call.name, args: call.args });
    }
  }
}

/**
 * The model with the recorder attached to every bound copy. Attached per
 * binding, because ChatOpenAI's bindTools builds a new model from its
 * constructor fields and would drop callbacks set on the instance.
 */
function counted(model: BaseChatModel, recorder: ModelRecorder): BaseChatModel {
  const bindTools = model.bindTools?.bind(model);
  if (bindTools === undefined) throw new Error('The model under test cannot call tools.');
  model.bindTools = (tools, kwargs) => bindTools(tools, kwargs).withConfig({ callbacks: [recorder] });
  return model;
}

export interface CaseResult {
  id: string;
  intent: string;
  text: string;
  readme: boolean;
  pass: boolean;
  /** Why it failed, in one line. */
  why?: string;
  modelCalls: number;
  promptTokens: number;
  completionTokens: number;
  toolCalls: ToolCallSeen[];
  operations: string[];
  reply: string;
}

export interface RunOptions {
  model: ModelChoice;
  /** Only the cases whose id or intent contains this. */
  filter?: string;
  onCase?: (result: CaseResult, run: number) => void;
}

/** Runs every case once on a fresh copy of the seeded Keel. */
export async function runCases(cases: EvalCase[], template: Template, options: RunOptions, run = 1): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const testCase of cases) {
    const result = await runCase(testCase, template, options.model);
    options.onCase?.(result, run);
    results.push(result);
  }
  return results;
}

/** `runs` passes over the corpus (pass^k needs k), with the fixture built once. */
export async function runEval(cases: EvalCase[], options: RunOptions & { runs: number }): Promise<CaseResult[][]> {
  const selected = options.filter ? cases.filter((c) => c.id.includes(options.filter!) || intentOf(c).includes(options.filter!)) : cases;
  const template = await buildTemplate();
  try {
    const runs: CaseResult[][] = [];
    for (let run = 1; run <= options.runs; run += 1) runs.push(await runCases(selected, template, options, run));
    return runs;
  } finally {
    template.remove();
  }
}

async function runCase(testCase: EvalCase, template: Template, choice: ModelChoice): Promise<CaseResult> {
  const copy = copyTemplate(template);
  const clock = new ManualClock(EVAL_NOW);
  const recorder = new ModelRecorder();
  const model = counted(createChatModel(modelSettings(choice), clock), recorder);
  const app = await openEvalKeel(copy.dir, model, clock);
  const base = { id: testCase.id, intent: intentOf(testCase), text: testCase.text, readme: testCase.readme };
  try {
    let lastCard: string | undefined;
    for (const text of testCase.before) {
      const result = await app.say(text);
      lastCard = cardsIn(result.replies).at(-1)?.ref ?? lastCard;
    }
    if (testCase.edit) {
      if (lastCard === undefined) throw new Error('the "before" messages raised no card to edit');
      await app.edit(lastCard);
    }
    const setup = new Set((await app.keel.kernel.list({})).map((a) => a.id));
    recorder.reset();
    const result = await app.say(testCase.text);
    const reply = textIn(result.replies);
    const actions = (await app.keel.kernel.list({})).filter((a) => !template.seededActions.has(a.id) && !setup.has(a.id));
    const toolCalls = recorder.toolCalls;
    const why = await judge(testCase, toolCalls, actions, reply, app.keel.storage.db);
    return {
      ...base,
      pass: why === undefined,
      ...(why === undefined ? {} : { why }),
      modelCalls: recorder.calls,
      promptTokens: recorder.promptTokens,
      completionTokens: recorder.completionTokens,
      toolCalls,
      operations: actions.map((a) => a.operation),
      reply,
    };
  } catch (error) {
    // A crash or an endpoint error fails this case and the eval goes on.
    const why = `error: ${error instanceof Error ? error.message : String(error)}`;
    return {
      ...base,
      pass: false,
      why,
      modelCalls: recorder.calls,
      promptTokens: recorder.promptTokens,
      completionTokens: recorder.completionTokens,
      toolCalls: recorder.toolCalls,
      operations: [],
      reply: '',
    };
  } finally {
    app.close();
    copy.remove();
  }
}

/** Undefined when the case passed, otherwise what went wrong. */
async function judge(testCase: EvalCase, calls: ToolCallSeen[], actions: Action[], reply: string, db: Db): Promise<string | undefined> {
  const agentCalls = calls.filter((call) => agentToolNames.has(call.name));
  const said = agentCalls.map((call) => `${call.name}(${JSON.stringify(call.args)})`).join(', ') || 'no tool call';
  // Each expected call needs a call of its own: one invoice does not satisfy "invoice Beta and invoice Gamma".
  const used = new Set<ToolCallSeen>();
  for (const expected of testCase.expect) {
    const candidates = agentCalls.filter((call) => call.name === expected.tool && !used.has(call));
    if (candidates.length === 0) return `expected ${expected.tool}, got ${said}; reply: ${firstLine(reply)}`;
    const mismatches = await Promise.all(candidates.map((call) => argsMismatch(expected, call.args, db)));
    const match = candidates.find((_, i) => mismatches[i] === undefined);
    if (match === undefined) return `${expected.tool}: ${mismatches[0]}`;
    used.add(match);
    const operations = operationsOf[expected.tool];
    const required = expected.tool === 'revise_action' ? operations : operations?.slice(0, 1);
    if (required !== undefined && !actions.some((a) => required.includes(a.operation))) {
      return `${expected.tool} was called but nothing reached the ledger as ${required.join(' or ')}; reply: ${firstLine(reply)}`;
    }
  }
  const allowed = new Set(testCase.expect.flatMap((e) => operationsOf[e.tool] ?? []));
  const extra = actions.filter((a) => !allowed.has(a.operation));
  if (extra.length > 0) return `unexpected effect ${extra.map((a) => `${a.operation}(${JSON.stringify(a.input)})`).join(', ')} from ${said}`;
  if (testCase.reply !== undefined && !new RegExp(testCase.reply, 'i').test(reply)) return `reply does not match /${testCase.reply}/: ${firstLine(reply)}`;
  return undefined;
}

const firstLine = (text: string) => (text.split('\n')[0] ?? '').slice(0, 120);

async function argsMismatch(expected: ExpectedCall, actual: Record<string, unknown>, db: Db): Promise<string | undefined> {
  for (const [key, want] of Object.entries(expected.args)) {
    const got = actual[key];
    if (!(await same(key, want, got, db))) return `${key} expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`;
  }
  return undefined;
}

const textKeys = new Set(['title', 'topic', 'description', 'text', 'note', 'scope', 'query', 'name', 'task', 'instruction', 'request', 'alias']);

async function same(key: string, want: string | number | boolean, got: unknown, db: Db): Promise<boolean> {
  if (got === undefined || got === null) return want === '';
  if (typeof want === 'number') return typeof got === 'number' && Math.abs(got - want) < 1e-6;
  if (typeof want === 'boolean') return got === want;
  if (typeof got !== 'string') return false;
  if (key === 'client') return (await clientName(db, got)) === (await clientName(db, want));
  if (key === 'startsAt' || key === 'at') return Date.parse(got) === Date.parse(`${want}:00Z`);
  if (textKeys.has(key)) return normal(got).includes(normal(want));
  return normal(got) === normal(want);
}

const normal = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}@.:+-]+/gu, ' ')
    .trim();

/** The client a name resolves to in the case's database, or the name itself when it resolves to none. */
async function clientName(db: Db, name: string): Promise<string> {
  const match = await resolveClient(db, name);
  return match.status === 'found' ? match.client.name : normal(name);
}
