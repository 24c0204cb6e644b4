import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getBasicAuthHeaders, makeCalendar, propfind } from 'tsdav';
import { freePort } from '../support/port.js';

/**
 * A real CalDAV server for the tests: Debian's radicale (installed by
 * .ci/run), run unprivileged on a free port with its storage in a temp folder
 * and no authentication, with one calendar made for the operator.
 */
export async function startRadicale() {
  const dir = mkdtempSync(join(tmpdir(), 'keel-radicale-'));
  const port = await freePort();
  const child = spawn(
    'radicale',
    ['--server-hosts', `127.0.0.1:${port}`, '--storage-filesystem-folder', join(dir, 'collections'), '--auth-type', 'none', '--logging-level', 'info'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (/Listening on/i.test(output)) resolve();
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => reject(new Error(`radicale exited (${code}) before listening:\n${output}`)));
    child.once('error', (error) => reject(new Error(`radicale could not start (${error.message}); install it with apt-get install radicale`)));
  });
  const headers = getBasicAuthHeaders({ username: 'olga', password: 'any' });
  const url = `http://127.0.0.1:${port}/olga/keel/`;
  await makeCalendar({ url, props: { displayname: 'Keel' }, headers });
  return {
    settings: { url, username: 'olga', password: 'any' },
    /** The event text stored for a meeting, straight from the server, or undefined. */
    async event(meetingId: string): Promise<string | undefined> {
      const res = await fetch(`${url}${meetingId}.ics`, { headers });
      return res.status === 404 ? undefined : res.text();
    },
    /** Deletes a meeting's event behind Keel's back, as a crash before the write would have left it. */
    async remove(meetingId: string): Promise<void> {
      await fetch(`${url}${meetingId}.ics`, { method: 'DELETE', headers });
    },
    async count(): Promise<number> {
      const rows = await propfind({ url, props: { 'd:getetag': {} }, depth: '1', headers });
      return rows.filter((r) => r.href?.endsWith('.ics')).length;
    },
    async close() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
