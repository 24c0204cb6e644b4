import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../eval/corpus.js';
import { formatSummary, summarize, type Summary } from '../../eval/report.js';
import { runEval } from '../../eval/run.js';
import { startOpenAIServer, type ChatCompletionRequest, type OpenAIServer, type ScriptedReply } from '../support/openai-server.js';

/**
 * A scripted stand-in for a model endpoint (no real model runs here): it
 * routes each request, then calls the tool a good model would, and words the
 * tool's result. "beta paid" is answered with the wrong invoice on its second
 * run, so one task passes only 2 of 3 runs.
 */
const script: Record<string, { agent: string; tool: string; args: Record<string, unknown>; flaky?: Record<string, unknown> }> = {
  'invoice acme 10 hrs': { agent: 'finance', tool: 'create_invoice', args: { client: 'Acme Corp', hours: 10 } },
  'who hasnt paid yet?': { agent: 'finance', tool: 'list_invoices', args: { status: 'sent' } },
  'beta paid': { agent: 'finance', tool: 'record_payment', args: { invoice: '2026-0003' }, flaky: { invoice: '2026-0002' } },
};

const asked = new Map<string, number>();

function reply(request: ChatCompletionRequest): ScriptedReply {
  const last = request.messages.at(-1)!;
  if (last.role === 'tool') return { content: `OK. ${String(last.content)}` };
  const user = String(request.messages.findLast((m) => m.role === 'user')?.content ?? '');
  const plan = script[user];
  if (plan === undefined) throw new Error(`unscripted request: ${user}`);
  if (request.tools?.some((t) => t.function.name === 'route')) return { tool_calls: [{ name: 'route', args: { agent: plan.agent, request: user } }] };
  const seen = (asked.get(user) ?? 0) + 1;
  asked.set(user, seen);
  return { tool_calls: [{ name: plan.tool, args: seen === 2 && plan.flaky ? plan.flaky : plan.args }] };
}

describe('npm run eval against an OpenAI-compatible endpoint', () => {
  let server: OpenAIServer;
  let summary: Summary;

  beforeAll(async () => {
    server = await startOpenAIServer(reply);
    const cases = loadCorpus().filter((c) => c.text in script);
    expect(cases).toHaveLength(3);
    const runs = await runEval(cases, { model: { kind: 'endpoint', baseURL: server.url, apiKey: 'test-key', model: 'scripted' }, runs: 3 });
    summary = summarize(runs);
  }, 120_000);
  afterAll(() => server.close());

  it('reports the pass rate over all runs and pass^3 over tasks', () => {
    expect(summary.runs).toBe(3);
    expect(summary.passRate).toBeCloseTo(8 / 9);
    expect(summary.passAll).toBeCloseTo(2 / 3);
    expect(summary.failures).toEqual([expect.objectContaining({ text: 'beta paid', failedRuns: 1 })]);
    expect(summary.failures[0]!.why).toMatch(/invoice expected "2026-0003", got "2026-0002"/);
    const table = formatSummary(summary, 'scripted');
    expect(table).toMatch(/\| overall\s+\|\s+3 \|\s+88\.9% \|\s+66\.7% \|/);
    expect(table).toContain('pass^3');
  });

  it('counts every model call and the tokens the endpoint reported', () => {
    const completions = server.requests.filter((r) => r.path === '/v1/chat/completions');
    // route and the tool call; only the listing (a read) is worded by the model after its result, as effects are
    // reported from the ledger: 2 + 3 + 2 calls per run, three runs.
    expect(completions).toHaveLength(21);
    expect(summary.modelCallsPerTask).toBeCloseTo(7 / 3);
    // The stand-in reports ceil(length of the messages / 4) prompt tokens per call.
    const prompt = completions.reduce((sum, r) => sum + Math.ceil(JSON.stringify((r.body as ChatCompletionRequest).messages).length / 4), 0);
    expect(summary.promptTokensPerTask * 9).toBeCloseTo(prompt);
    expect(summary.completionTokensPerTask).toBeGreaterThan(0);
  });
});
