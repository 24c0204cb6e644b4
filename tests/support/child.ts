import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Starts a TypeScript script in a child Node process and resolves with the
 * first output (stdout or stderr) matching `ready`, so the caller can kill it at that exact point.
 */
export function runUntil(
  script: string,
  args: string[],
  ready: RegExp,
  opts: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not print ${ready} within ${timeoutMs} ms; output:\n${output}`));
    }, timeoutMs);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = output.match(ready);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match });
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code}) before printing ${ready}; output:\n${output}`));
    });
  });
}

/** SIGKILL, as a crash or an out-of-memory kill would end the process: no cleanup runs. */
export function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
