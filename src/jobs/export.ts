import type { Kernel } from '../kernel/index.js';
import { exportResult } from '../connectors/index.js';
import { sha256Hex } from '../core/ids.js';
import type { CommandSet, Outbound } from '../graph/index.js';

const text = (t: string): Outbound => ({ kind: 'text', text: t });
const usage =
  'Which export? /export 2026 gives a year’s invoices and credit notes for your accountant (a CSV and a ZIP of every PDF and XML); /export all gives all your data as JSON.';

/**
 * /export <year> and /export all: run through the kernel like any effect,
 * keyed by the command's message, so a re-delivered or repeated tap answers
 * with the files already made rather than making them again.
 */
export function exportCommands(deps: { kernel: Kernel; clock: { now(): Date } }): CommandSet {
  return {
    export: {
      description: "A year's invoices for your accountant (/export 2026), or all your data (/export all)",
      async run({ args, sender, transport, eventId }) {
        const what = args.trim().toLowerCase();
        const year = /^\d{4}$/.test(what) ? Number(what) : what === '' ? deps.clock.now().getUTCFullYear() : undefined;
        if (year === undefined && what !== 'all') return [text(usage)];
        const key = `export:${await sha256Hex(`${transport}:${eventId}`)}`;
        const action = await deps.kernel.execute({
          operation: year === undefined ? 'exports.data' : 'exports.accountant',
          input: year === undefined ? {} : { year },
          idempotencyKey: key,
          agent: `operator:${sender}`,
          reason: year === undefined ? 'The operator asked for all their data.' : `The operator asked for the ${year} export for their accountant.`,
        });
        if (action.state !== 'succeeded')
          return [text(`The export did not finish (${action.state.replace(/_/g, ' ')}): ${action.error ?? `see /why ${action.id}`}.`)];
        const { files } = exportResult.parse(action.result);
        const caption = (name: string) =>
          year === undefined
            ? 'All your data as JSON: every record Keel keeps for you.'
            : name.endsWith('.csv')
              ? `Invoices and credit notes of ${year}, one row each (credit notes negative).`
              : `Every PDF and e-invoice XML of ${year}, with the CSV.`;
        return files.map((f) => ({ kind: 'file', file: { id: f.fileId, name: f.name, contentType: f.contentType, caption: caption(f.name) } }));
      },
    },
  };
}
