import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { agentTools } from '../../src/agents/intents.js';
import { loadCorpus } from '../../eval/corpus.js';
import { formatSummary, summarize, type Summary } from '../../eval/report.js';
import { runEval, type CaseResult } from '../../eval/run.js';

/** The offline model's share of the corpus understood when this test was last tightened; a regression fails. */
const OFFLINE_FLOOR = 0.97;

/** The example phrasings of the offline model's README table: the quoted requests each tool's row starts with. */
function readmePhrasings(): string[] {
  const readme = readFileSync(new URL('../../src/agents/offline-model/README.md', import.meta.url), 'utf8');
  return readme
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => {
      const column = (line.split(' | ')[1] ?? '').replace(/\([^)]*\)/g, '');
      const examples = /^("[^"]+"\s*(?:·\s*"[^"]+"\s*)*)/.exec(column)?.[1] ?? '';
      return [...examples.matchAll(/"([^"]+)"/g)].map((m) => m[1]!).filter((q) => !q.includes('…') && !q.includes('<') && !q.startsWith('/'));
    });
}

describe('npm run eval on the offline model', () => {
  const cases = loadCorpus();
  let results: CaseResult[] = [];
  let summary: Summary;

  beforeAll(async () => {
    const runs = await runEval(cases, { model: { kind: 'offline' }, runs: 1 });
    results = runs[0]!;
    summary = summarize(runs);
    // The table is the eval's own output; printing it keeps the figure visible in CI logs.
    console.log(formatSummary(summary, 'offline model'));
  }, 180_000);

  it('has at least 150 requests, over every tool the agents have', () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
    const covered = new Set(cases.flatMap((c) => c.expect.map((e) => e.tool)));
    expect(Object.keys(agentTools).filter((tool) => !covered.has(tool as never))).toEqual([]);
  });

  it('holds every phrasing the offline model README lists, marked as such', () => {
    const marked = new Set(cases.filter((c) => c.readme).map((c) => c.text));
    const phrasings = readmePhrasings();
    expect(phrasings.length).toBeGreaterThan(80);
    expect(phrasings.filter((p) => !marked.has(p))).toEqual([]);
  });

  it('understands every phrasing the README lists, end to end', () => {
    const failed = results.filter((r) => r.readme && !r.pass).map((r) => `${r.text}: ${r.why}`);
    expect(failed).toEqual([]);
  });

  it(`understands at least ${OFFLINE_FLOOR * 100}% of the corpus`, () => {
    expect(summary.passRate).toBeGreaterThanOrEqual(OFFLINE_FLOOR);
    expect(summary.modelCallsPerTask).toBeGreaterThan(0);
  });
});
