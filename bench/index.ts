import { arch, cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { checkpointer } from './checkpointer.js';
import { compaction } from './compaction.js';
import { driver } from './driver.js';
import { kernel } from './kernel.js';
import { modelCalls } from './model-calls.js';
import { recall } from './recall.js';
import { scale } from './scale.js';
import { formatMs } from './stats.js';
import type { BenchGroup, Row } from './support.js';
import { turns } from './turns.js';

/**
 * Every group, in table order. A new benchmark (memory recall, with the memory
 * issue) is one more module exporting a BenchGroup, listed here.
 */
const groups: BenchGroup[] = [turns, modelCalls, checkpointer, driver, kernel, recall, compaction, scale];
/** `BENCH_GROUPS=checkpointer,turns` runs only the named groups (by module name), to re-measure one change without the rest. */
const only = process.env.BENCH_GROUPS?.split(',').map((name) => name.trim());
const selected = only === undefined ? groups : groups.filter((group) => only.includes(group.name));
/** Scale runs first: garbage and heap pages left by the other groups would blur its resident-memory deltas. */
const runOrder = [...selected.filter((group) => group === scale), ...selected.filter((group) => group !== scale)];

const progress = (message: string) => process.stderr.write(`[bench] ${message}\n`);

function rate({ value, unit }: { value: number; unit: string }): string {
  const digits = value < 100 ? 1 : 0;
  return `${value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${unit}`;
}

function machine(): string {
  const processors = cpus();
  const memory = `${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM`;
  const cpu = `${processors[0]?.model.trim() ?? 'unknown CPU'}, ${processors.length} cores`;
  // Other work on the machine inflates every number; the load average says how much there was.
  const load = `load average ${loadavg()[0]!.toFixed(1)} at start`;
  return `${cpu} · ${memory} · Node ${process.version} · ${osType()} ${release()} (${arch()}) · ${load}`;
}

function table(rows: Row[]): string {
  const header = ['Group', 'Benchmark', 'n', 'Median', 'p99', 'Throughput', 'Baseline', 'Ratio', 'Notes'];
  const cells = rows.map((row) => [
    row.group,
    row.benchmark,
    row.latency ? row.latency.n.toLocaleString('en') : '',
    row.latency ? formatMs(row.latency.median) : '',
    row.latency ? formatMs(row.latency.p99) : '',
    row.throughput ? rate(row.throughput) : '',
    row.baseline ?? '',
    row.ratio ?? '',
    row.notes ?? '',
  ]);
  const line = (values: string[]) => `| ${values.map((v) => v.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...cells.map(line)].join('\n');
}

async function main() {
  const started = new Date();
  const machineLine = machine();
  const results = new Map<BenchGroup, Row[]>();
  for (const group of runOrder) {
    const elapsed = performance.now();
    progress(`${group.name}…`);
    results.set(group, await group.run(progress));
    progress(`${group.name} done in ${((performance.now() - elapsed) / 1000).toFixed(1)} s`);
  }
  const took = ((Date.now() - started.getTime()) / 1000).toFixed(0);
  process.stdout.write(
    [
      `## Keel benchmarks — ${started.toISOString()}`,
      '',
      `${machineLine} · whole run ${took} s`,
      '',
      table(groups.flatMap((group) => results.get(group) ?? [])),
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
