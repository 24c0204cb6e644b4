/**
 * The container files, checked without a container engine: this machine has the docker CLI but no daemon (and no
 * podman or buildah), so no image is built here. Instead the Dockerfile is parsed and checked instruction by
 * instruction, and the final stage's own CMD and HEALTHCHECK are run as written, with its ENV, on a temp /data.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDatabase } from '../support/db.js';
import { kill } from '../support/child.js';
import { freePort } from '../support/port.js';
import { projectRoot } from './support.js';

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions with line continuations joined and comments dropped, split into stages at each FROM. */
function parseDockerfile(text: string): Instruction[][] {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  const stages: Instruction[][] = [];
  for (const line of logical) {
    const [, op, args] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    if (!op || args === undefined) throw new Error(`not an instruction: ${line}`);
    if (op.toUpperCase() === 'FROM') stages.push([]);
    stages.at(-1)!.push({ op: op.toUpperCase(), args: args.replace(/\s+/g, ' ') });
  }
  return stages;
}

const dockerfile = parseDockerfile(readFileSync(join(projectRoot, 'Dockerfile'), 'utf8'));
const final = dockerfile.at(-1)!;
const all = (op: string) => final.filter((i) => i.op === op);
const env = Object.fromEntries(all('ENV').flatMap((i) => [...i.args.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!])));
const execForm = (args: string) => JSON.parse(args) as string[];

const temps: ReturnType<typeof tempDatabase>[] = [];
afterEach(() => {
  for (const db of temps.splice(0)) db.remove();
});

describe('the container image (linted: no container engine runs here)', () => {
  it('is multi-stage, runs as a non-root user, keeps its data in a volume, and checks /healthz', () => {
    expect(dockerfile.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile[0]![0]!.args).toMatch(/^node:20\S* AS deps$/);
    expect(final[0]!.args).toMatch(/^node:20\S*$/);
    // Only what runs is copied into the final stage: dependencies from the build stage, and the sources.
    expect(all('COPY').map((i) => i.args)).toContain('--from=deps /app/node_modules ./node_modules');
    for (const copy of all('COPY').filter((i) => !i.args.startsWith('--from'))) {
      for (const source of copy.args.split(' ').slice(0, -1)) expect(existsSync(join(projectRoot, source)), source).toBe(true);
    }
    const user = all('USER');
    expect(user).toHaveLength(1);
    expect(user[0]!.args).not.toMatch(/^(root|0)(:|$)/);
    expect(final.findIndex((i) => i.op === 'USER')).toBeLessThan(final.findIndex((i) => i.op === 'CMD'));
    expect(all('VOLUME').map((i) => i.args)).toEqual(['/data']);
    for (const setting of ['DATABASE_URL', 'FILES_DIR', 'OUTBOX_DIR', 'BACKUP_DIR']) expect(env[setting], setting).toMatch(/^(file:)?\/data\//);
    expect(all('EXPOSE').map((i) => i.args)).toEqual([env.PORT]);
    const [health] = all('HEALTHCHECK');
    expect(health!.args).toMatch(/^--interval=\S+ --timeout=\S+ --start-period=\S+ --retries=\d+ CMD \[/);
    expect(health!.args).toContain('/healthz');
    expect(execForm(all('CMD')[0]!.args)).toEqual(['node', '--import', 'tsx', 'src/main.ts']);
    const ignored = readFileSync(join(projectRoot, '.dockerignore'), 'utf8').split('\n');
    for (const path of ['node_modules', 'data', '.git']) expect(ignored).toContain(path);
  });

  it("starts with the image's CMD and ENV, and its HEALTHCHECK command passes once Keel is up", async () => {
    const data = tempDatabase('keel-container-');
    temps.push(data);
    const port = String(await freePort());
    const settings = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace('/data/', `${data.dir}/`)]));
    const runEnv = { PATH: process.env.PATH ?? '', ...settings, PORT: port, WEB_CHAT_TOKEN: 'a-token-for-the-container-test', DIGEST_TIME: 'off' };
    const [command, ...args] = execForm(all('CMD')[0]!.args);
    const keel = spawn(command!, args, { cwd: projectRoot, env: runEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      await new Promise<void>((resolve, reject) => {
        let output = '';
        const read = (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('Keel is running')) resolve();
        };
        keel.stdout!.on('data', read);
        keel.stderr!.on('data', read);
        keel.on('exit', (code) => reject(new Error(`Keel exited (${code}): ${output}`)));
      });
      const check = execForm(/CMD (\[.*\])$/.exec(all('HEALTHCHECK')[0]!.args)![1]!);
      const probe = spawnSync(check[0]!, check.slice(1), { env: runEnv, timeout: 10_000 });
      expect(probe.status).toBe(0);
      expect(existsSync(join(data.dir, 'keel.db'))).toBe(true);
    } finally {
      await kill(keel);
    }
    // With Keel gone the same check fails, so the engine would restart it.
    const [check0, ...checkArgs] = execForm(/CMD (\[.*\])$/.exec(all('HEALTHCHECK')[0]!.args)![1]!);
    expect(spawnSync(check0!, checkArgs, { env: runEnv, timeout: 10_000 }).status).toBe(1);
  });

  it('has a compose file with the data volume, a loopback port and a required web chat token', () => {
    const compose = readFileSync(join(projectRoot, 'compose.yaml'), 'utf8');
    expect(compose).toMatch(/^\s+build: \.$/m);
    expect(compose).toMatch(/^\s+- keel-data:\/data$/m);
    expect(compose).toMatch(/^\s+- "127\.0\.0\.1:3000:3000"$/m);
    expect(compose).toMatch(/WEB_CHAT_TOKEN: \$\{WEB_CHAT_TOKEN:\?/);
    expect(compose).toMatch(/^volumes:\n\s+keel-data:$/m);
  });
});
