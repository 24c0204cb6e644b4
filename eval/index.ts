import { loadCorpus } from './corpus.js';
import type { ModelChoice } from './keel.js';
import { formatSummary, summarize } from './report.js';
import { runEval } from './run.js';

/**
 * `npm run eval`: the corpus against the offline model, or, with
 * OPENAI_BASE_URL and/or OPENAI_API_KEY set, against that endpoint
 * (OPENAI_MODEL, default gpt-4o-mini) three times for pass^3.
 * EVAL_RUNS overrides the number of runs, EVAL_FILTER picks cases by id or intent.
 */
const env = process.env;
const endpoint = Boolean(env.OPENAI_BASE_URL || env.OPENAI_API_KEY);
const choice: ModelChoice = endpoint
  ? { kind: 'endpoint', baseURL: env.OPENAI_BASE_URL || undefined, apiKey: env.OPENAI_API_KEY || undefined, model: env.OPENAI_MODEL || 'gpt-4o-mini' }
  : { kind: 'offline' };
const runs = Number(env.EVAL_RUNS ?? (endpoint ? 3 : 1));
if (!Number.isInteger(runs) || runs < 1) throw new Error(`EVAL_RUNS must be a whole number of at least 1, not "${env.EVAL_RUNS}".`);

const cases = loadCorpus();
const label = choice.kind === 'offline' ? 'offline model' : `${choice.model} at ${choice.baseURL ?? 'api.openai.com'}`;
process.stderr.write(`Running ${cases.length} cases × ${runs} against the ${label}…\n`);
let done = 0;
const results = await runEval(cases, {
  model: choice,
  runs,
  filter: env.EVAL_FILTER || undefined,
  onCase: () => {
    done += 1;
    if (done % 25 === 0) process.stderr.write(`  ${done} done\n`);
  },
});
process.stdout.write(`${formatSummary(summarize(results), label)}\n`);
