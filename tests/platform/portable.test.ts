import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The core runs on Node and on Cloudflare Workers, so everything reachable from
 * createKeel (src/app.ts) and the Worker entry imports no Node-only module:
 * Node specifics enter through the Platform object that src/main.ts passes in.
 * Type-only imports are erased and allowed.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const NODE_ONLY = [
  /^node:/,
  /^(fs|path|os|net|tls|child_process|http|https|url)(\/|$)/,
  /^nodemailer$/,
  /^@hono\/node-server/,
  /^imapflow$/,
  /^@libsql\/client$/,
  /^drizzle-orm\/(libsql$|libsql\/migrator$|migrator$)/,
];

function valueImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const specifiers: string[] = [];
  for (const match of source.matchAll(/^\s*(import|export)\s+(type\s+)?([^'";]*?\s+from\s+)?['"]([^'"]+)['"]/gm)) {
    if (match[2]) continue;
    // `import { type A, type B } from` is erased too.
    const names = match[3]?.match(/\{([^}]*)\}/)?.[1];
    if (names && !match[3]!.replace(/\{[^}]*\}/, '').match(/\w+\s*,|\*/) && names.split(',').every((n) => !n.trim() || n.trim().startsWith('type '))) continue;
    specifiers.push(match[4]!);
  }
  for (const match of source.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) specifiers.push(match[1]!);
  return specifiers;
}

/** Every src file reachable through value imports from `entry`, with the bare packages each one imports. */
function reachable(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const queue = [resolve(root, entry)];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    const bare: string[] = [];
    seen.set(file, bare);
    for (const spec of valueImports(file)) {
      // The bundled migrations are generated data (scripts/bundle-migrations.ts) and import nothing.
      if (spec.endsWith('.generated.js')) continue;
      if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else bare.push(spec);
    }
  }
  return seen;
}

const offenders = (entry: string) =>
  [...reachable(entry)].flatMap(([file, bare]) =>
    bare.filter((spec) => NODE_ONLY.some((re) => re.test(spec))).map((spec) => `${relative(root, file)} imports ${spec}`),
  );

describe('the portable core', () => {
  it('createKeel reaches no Node-only module', () => {
    expect(offenders('src/app.ts')).toEqual([]);
  });

  it('the Worker entry reaches no Node-only module', () => {
    expect(offenders('src/worker.ts')).toEqual([]);
  });

  it('the Node entry is where Node modules come in (the check would notice them)', () => {
    expect(offenders('src/main.ts').length).toBeGreaterThan(0);
    expect(join('src', 'platform', 'node.ts')).toSatisfy((p: string) => reachable('src/main.ts').has(resolve(root, p)));
  });
});
