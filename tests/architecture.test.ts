import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The house rules of src/, checked over the import graph (type-only imports count: a type is a dependency too):
 * 1. layers only look down — a folder imports only the folders its row below names;
 * 2. a folder is entered only through its door (its index.ts) or an extra door listed below;
 * 3. no folder imports another folder's tables (`tables.ts`, `*-tables.ts`); the top-level schema.ts gathers them all for drizzle-kit.
 * core has no door: it is a shelf of leaf utilities (clock, ids, money, logger), each file imported by name.
 * The top-level files (app.ts, main.ts, worker.ts, schema.ts) compose everything and may import any folder, through its doors.
 */
const mayImport: Record<string, readonly string[]> = {
  bots: ['graph', 'agents', 'kernel', 'records', 'memory', 'chat', 'storage', 'core'],
  jobs: ['graph', 'agents', 'kernel', 'connectors', 'records', 'memory', 'chat', 'storage', 'core'],
  graph: ['agents', 'kernel', 'records', 'memory', 'chat', 'storage', 'core'],
  agents: ['kernel', 'records', 'memory', 'chat', 'storage', 'core'],
  kernel: ['storage', 'core'],
  // The kernel runs connectors without importing them (app.ts registers them); they implement its plug, kernel/connector.ts.
  connectors: ['kernel', 'records', 'memory', 'chat', 'storage', 'core'],
  records: ['kernel', 'storage', 'core'],
  memory: ['records', 'storage', 'core'],
  chat: ['core'],
  // The platform hands the runtime-specific halves of storage and connectors (a disk, a socket) to createKeel.
  platform: ['connectors', 'storage', 'config', 'core'],
  storage: ['platform', 'core'],
  core: [],
};

/** Doors besides each folder's index.ts, and who may use them. */
const extraDoors: Record<string, readonly string[]> = {
  'kernel/connector.ts': ['connectors', 'records'], // the plug: what a connector implements
  'kernel/connector-deps.ts': ['connectors', 'records'], // and what a local connector is given
  'kernel/scheduler/index.ts': ['root', 'jobs'], // the kernel's second service, wired by app.ts
  'platform/node.ts': ['root'], // Node-only: kept out of platform/index.ts so the Worker bundle never sees it
  'platform/workers.ts': ['root'],
  'platform/lease.node.ts': ['root'], // Node-only: main.ts marks the database as in use while Keel runs
  'platform/tracing.node.ts': ['root'], // Node-only: main.ts loads the OpenTelemetry exporter only when traces are asked for
  'connectors/email/imap.ts': ['root'], // Node-only mailbox, handed in by main.ts
  'connectors/email/delivery.node.ts': ['platform'],
  'connectors/files/folder.node.ts': ['platform'],
  'connectors/email/index.ts': ['platform'],
  'connectors/files/index.ts': ['platform'],
  'storage/migrations.generated.ts': ['platform'], // migrations bundled into the Worker, which has no disk
  'bots/web/index.ts': ['root'], // bots has no door of its own: each transport is one
  'bots/telegram/index.ts': ['root'],
  'bots/slack/index.ts': ['root'],
  'bots/workspace/index.ts': ['root'],
  'bots/pages/index.ts': ['root'],
};

/** Today's exceptions, grouped by why they are still there. An edge that no longer occurs fails the test: delete it. */
const exceptions: Record<string, readonly string[]> = {
  'Memory indexes sent email and client replies straight from the tables the email connector owns': [
    'layer: memory/documents.ts -> connectors/email/tables.ts',
    'door: memory/documents.ts -> connectors/email/tables.ts',
    'tables: memory/documents.ts -> connectors/email/tables.ts',
  ],
};
const allowed = new Map(Object.entries(exceptions).flatMap(([reason, edges]) => edges.map((edge) => [edge, reason] as const)));

const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
const importPattern = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The folder a file belongs to: its first directory under src, or "root" (app.ts, main.ts, worker.ts) and "config" (config.ts). */
function folderOf(file: string): string {
  const [first, ...rest] = file.split('/');
  if (rest.length > 0) return first!;
  return file === 'config.ts' ? 'config' : 'root';
}

function violations(): string[] {
  const found: string[] = [];
  for (const path of sources(src)) {
    const file = relative(src, path);
    const from = folderOf(file);
    for (const match of readFileSync(path, 'utf8').matchAll(importPattern)) {
      const specifier = match[1] ?? match[2]!;
      if (!specifier.startsWith('.')) continue;
      const target = normalize(join(dirname(file), specifier)).replace(/\.js$/, '.ts');
      const to = folderOf(target);
      if (to === from) continue;
      const edge = `${file} -> ${target}`;
      // schema.ts, beside app.ts, gathers every folder's tables for drizzle-kit: the one file that may.
      if (file === 'schema.ts' && /(^|[/-])tables\.ts$/.test(target)) continue;
      if (from !== 'root' && !(mayImport[from] ?? []).includes(to)) found.push(`layer: ${edge}`);
      const door = to === 'core' || to === 'config' || target === `${to}/index.ts` || (extraDoors[target] ?? []).includes(from);
      if (!door) found.push(`door: ${edge}`);
      if (/(^|[/-])tables\.ts$/.test(target)) found.push(`tables: ${edge}`);
    }
  }
  return found;
}

describe('architecture', () => {
  const found = violations();

  it('layers only look down, folders are entered through their doors, and nobody reads another folder’s tables', () => {
    expect(found.filter((violation) => !allowed.has(violation))).toEqual([]);
  });

  it('lists no exception that is gone', () => {
    expect([...allowed.keys()].filter((violation) => !found.includes(violation))).toEqual([]);
  });

  it('names every folder of src in the layer table', () => {
    const folders = readdirSync(src, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.filter((folder) => !(folder in mayImport)).sort()).toEqual([]);
  });
});
