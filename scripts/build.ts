import { readFile } from 'node:fs/promises';
import { dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * The production build: src/main.ts bundled into dist/main.js for plain Node 20 (`npm run start:prod`), so
 * production loads no TypeScript loader. Packages stay external and resolve from node_modules as in the source.
 * Each module keeps its own import.meta.url, written relative to the bundle, so a path such as the migrations
 * folder (src/platform/node.ts) resolves as in the source wherever the checkout lives.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = `${root}dist`;

await build({
  entryPoints: [`${root}src/main.ts`],
  outdir,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [
    {
      name: 'own-import-meta-url',
      setup(b) {
        b.onLoad({ filter: /\.tsx?$/ }, async (args) => {
          const fromBundle = relative(outdir, args.path).split('\\').join('/');
          const source = await readFile(args.path, 'utf8');
          return {
            contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`),
            loader: args.path.endsWith('x') ? 'tsx' : 'ts',
            resolveDir: dirname(args.path),
          };
        });
      },
    },
  ],
});
