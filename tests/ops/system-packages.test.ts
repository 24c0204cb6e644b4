import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const script = new URL('scripts/ensure-system-packages.sh', root).pathname;
const tools = ['chromium', 'pdftoppm', 'radicale', 'dovecot', 'pdfdetach', 'xmllint'];
const which = (tool: string) => spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();

/** Runs the check with only the given commands on PATH, as an unprivileged user (it installs nothing then). */
function check(present: string[]) {
  const bin = mkdtempSync(join(tmpdir(), 'keel-path-'));
  chmodSync(bin, 0o755);
  for (const tool of ['bash', 'id']) symlinkSync(which(tool), join(bin, tool));
  for (const tool of present) writeFileSync(join(bin, tool), '#!/bin/sh\n', { mode: 0o755 });
  const asNobody = process.getuid?.() === 0 ? [which('setpriv'), '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
  const [command, ...args] = [...asNobody, join(bin, 'bash'), script];
  const run = spawnSync(command!, args, { env: { PATH: bin }, encoding: 'utf8' });
  made.push(bin);
  return { status: run.status, stderr: run.stderr, stdout: run.stdout };
}
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the fresh-machine check before npm test', () => {
  it('stops an unprivileged user with one line naming the exact apt-get command for what is missing', () => {
    const run = check(['chromium']);
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    // dovecot may still be found in /usr/sbin, which the check also looks at (a non-root PATH often lacks it);
    // poppler-utils has two of the tools but is named once; Saxon is a jar found by its path, not on PATH.
    expect(lines[0]).toMatch(
      /^Missing system packages for the tests; run: sudo apt-get update && sudo apt-get install -y poppler-utils radicale( dovecot-imapd)? libxml2-utils( libsaxonhe-java)?$/,
    );
  });

  it('says nothing and lets the tests run when every tool is there', () => {
    expect(check(tools)).toEqual({ status: 0, stderr: '', stdout: '' });
  });

  it('is what npm test runs first, and CI runs exactly the README command', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string>; allowScripts: Record<string, boolean> };
    expect(pkg.scripts.pretest).toBe('bash scripts/ensure-system-packages.sh');
    expect(pkg.scripts.test).toBe('tsc --noEmit && biome lint --error-on-warnings && biome format . && vitest run');
    expect(Object.keys(pkg.allowScripts).sort()).toEqual(['better-sqlite3', 'esbuild', 'sharp', 'workerd']);
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    expect(readme).toContain('npm install && npm test');
    const ci = readFileSync(new URL('.ci/run', root), 'utf8')
      .split('\n')
      .filter((line) => line.trim() && !line.startsWith('#'));
    expect(ci.at(-1)).toBe('npm install && npm test');
  });
});
