import type { CaseResult } from './run.js';

export interface IntentScore {
  intent: string;
  cases: number;
  /** Share of (case, run) pairs that passed. */
  passRate: number;
  /** τ-bench's pass^k with k = the number of runs: a case counts only if every run passed it. */
  passAll: number;
}

export interface Summary {
  cases: number;
  runs: number;
  passRate: number;
  passAll: number;
  perIntent: IntentScore[];
  modelCallsPerTask: number;
  promptTokensPerTask: number;
  completionTokensPerTask: number;
  failures: { id: string; intent: string; text: string; why: string; failedRuns: number }[];
}

/** `runs[r][i]` is case i in run r; every run holds the same cases in the same order. */
export function summarize(runs: CaseResult[][]): Summary {
  const first = runs[0] ?? [];
  const byCase = first.map((_, i) => runs.map((run) => run[i]!));
  const score = (groups: CaseResult[][]) => ({
    passRate: ratio(groups.flat().filter((r) => r.pass).length, groups.flat().length),
    passAll: ratio(groups.filter((group) => group.every((r) => r.pass)).length, groups.length),
  });
  const intents = [...new Set(first.map((r) => r.intent))].sort();
  const all = runs.flat();
  return {
    cases: first.length,
    runs: runs.length,
    ...score(byCase),
    perIntent: intents.map((intent) => {
      const groups = byCase.filter((group) => group[0]!.intent === intent);
      return { intent, cases: groups.length, ...score(groups) };
    }),
    modelCallsPerTask: mean(all.map((r) => r.modelCalls)),
    promptTokensPerTask: mean(all.map((r) => r.promptTokens)),
    completionTokensPerTask: mean(all.map((r) => r.completionTokens)),
    failures: byCase
      .filter((group) => group.some((r) => !r.pass))
      .map((group) => {
        const failed = group.filter((r) => !r.pass);
        return { id: group[0]!.id, intent: group[0]!.intent, text: group[0]!.text, why: failed[0]!.why ?? '', failedRuns: failed.length };
      }),
  };
}

const ratio = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);
const mean = (values: number[]) => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);
const pct = (value: number) => `${(value * 100).toFixed(1)}%`;

/** The summary as plain-text tables for a terminal. */
export function formatSummary(summary: Summary, model: string): string {
  const k = summary.runs;
  const multi = k > 1;
  const header = multi ? ['Intent', 'Cases', 'Pass rate', `pass^${k}`] : ['Intent', 'Cases', 'Understood'];
  const rows = summary.perIntent.map((s) =>
    multi ? [s.intent, String(s.cases), pct(s.passRate), pct(s.passAll)] : [s.intent, String(s.cases), pct(s.passRate)],
  );
  rows.push(
    multi ? ['overall', String(summary.cases), pct(summary.passRate), pct(summary.passAll)] : ['overall', String(summary.cases), pct(summary.passRate)],
  );
  const lines = [`Keel eval — ${model}, ${summary.cases} cases × ${k} run${k === 1 ? '' : 's'}`, '', table(header, rows), ''];
  lines.push(
    table(
      ['Per task', 'Mean'],
      [
        ['model calls', summary.modelCallsPerTask.toFixed(2)],
        ['prompt tokens', summary.promptTokensPerTask.toFixed(0)],
        ['completion tokens', summary.completionTokensPerTask.toFixed(0)],
      ],
    ),
  );
  if (summary.failures.length > 0) {
    lines.push('', `Failures (${summary.failures.length}):`);
    for (const f of summary.failures) lines.push(`- [${f.id}]${multi ? ` ${f.failedRuns}/${k} runs` : ''} "${f.text}": ${f.why}`);
  }
  return lines.join('\n');
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(header), `|${widths.map((w, i) => (i === 0 ? `-${'-'.repeat(w)}-` : `-${'-'.repeat(w - 1)}:-`)).join('|')}|`, ...rows.map(line)].join('\n');
}
