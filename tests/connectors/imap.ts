import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { freePort } from '../support/port.js';

const PASSWORD = 'secret-pw';

/** Whether something accepts connections on the port yet. */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => socket.end(() => resolve(true)));
    socket.once('error', () => resolve(false));
  });

/**
 * A real IMAP server for the tests: Debian's Dovecot (dovecot-imapd, which
 * .ci/run installs), started on a free port with its own config, state and
 * Maildir in a temp folder — no system service, one static password.
 */
export async function startImap() {
  const dir = mkdtempSync(join(tmpdir(), 'keel-dovecot-'));
  const port = await freePort();
  const root = process.getuid?.() === 0;
  // As root, Dovecot drops to its own users; as anyone else, everything runs as that user.
  const mailUser = root ? 'dovecot' : execFileSync('id', ['-un']).toString().trim();
  const uid = execFileSync('id', ['-u', mailUser]).toString().trim();
  const gid = execFileSync('id', ['-g', mailUser]).toString().trim();
  const home = join(dir, 'home');
  mkdirSync(home);
  if (root) {
    // The mail processes run as the dovecot user, which must be able to pass through the private temp folder.
    chmodSync(dir, 0o755);
    execFileSync('chown', ['-R', `${uid}:${gid}`, home]);
  }
  const config = join(dir, 'dovecot.conf');
  writeFileSync(
    config,
    [
      `base_dir = ${join(dir, 'run')}`,
      `state_dir = ${join(dir, 'state')}`,
      `log_path = ${join(dir, 'dovecot.log')}`,
      'protocols = imap',
      'listen = 127.0.0.1',
      'ssl = no',
      'disable_plaintext_auth = no',
      'auth_mechanisms = plain login',
      'first_valid_uid = 1',
      // A refused login is answered at once: the default two-second penalty only slows the tests.
      'auth_failure_delay = 0',
      ...(root ? [] : [`default_internal_user = ${mailUser}`, `default_internal_group = ${mailUser}`, `default_login_user = ${mailUser}`]),
      `passdb {\n  driver = static\n  args = password=${PASSWORD}\n}`,
      `userdb {\n  driver = static\n  args = uid=${uid} gid=${gid} home=${home}/%u\n}`,
      'mail_location = maildir:~/Maildir',
      `service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n    port = ${port}\n  }\n  inet_listener imaps {\n    port = 0\n  }\n}`,
      '',
    ].join('\n'),
  );
  // No pipes: the daemon would hold them open and the call would never return. Its complaints go to the log.
  const started = spawnSync('dovecot', ['-c', config], { stdio: 'ignore' });
  if (started.error || started.status !== 0) {
    const log = existsSync(join(dir, 'dovecot.log')) ? readFileSync(join(dir, 'dovecot.log'), 'utf8') : '';
    throw new Error(`Dovecot did not start (${started.error?.message ?? `exit ${started.status}`}); install it with apt-get install dovecot-imapd.\n${log}`);
  }
  // The master forks and returns at once; the listener follows within moments, or the log says why not.
  for (let tries = 0; !(await listening(port)); tries += 1) {
    if (tries > 500) throw new Error(`Dovecot did not listen on ${port}:\n${readFileSync(join(dir, 'dovecot.log'), 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    url: `imap://keel:${PASSWORD}@127.0.0.1:${port}/INBOX`,
    /**
     * SIGTERM to the master, which then ends its children, and its folder removed
     * once it has exited: removed at once, a child still writing its state made
     * the removal fail now and then. Safe to call twice.
     */
    async close() {
      const pidFile = join(dir, 'run', 'master.pid');
      if (existsSync(pidFile)) {
        const pid = Number(readFileSync(pidFile, 'utf8').trim());
        process.kill(pid, 'SIGTERM');
        for (let tries = 0; tries < 250 && running(pid); tries += 1) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
    },
  };
}

/** Signal 0 checks a process exists: it throws ESRCH once the process is gone. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Puts a message in the server's INBOX the way a mail server delivers it. */
export async function deliver(imap: { url: string }, raw: string) {
  const url = new URL(imap.url);
  const client = new ImapFlow({ host: url.hostname, port: Number(url.port), secure: false, auth: { user: 'keel', pass: PASSWORD }, logger: false });
  await client.connect();
  await client.append('INBOX', raw.replace(/\n/g, '\r\n'));
  await client.logout();
}

export const reply = (opts: { id: string; from: string; inReplyTo?: string; subject?: string; body: string }) =>
  [
    `From: ${opts.from}`,
    'To: Olga Operator <olga@keel.test>',
    `Subject: ${opts.subject ?? 'Re: Following up'}`,
    `Message-ID: ${opts.id}`,
    ...(opts.inReplyTo ? [`In-Reply-To: ${opts.inReplyTo}`, `References: ${opts.inReplyTo}`] : []),
    'Date: Mon, 02 Mar 2026 10:00:00 +0000',
    'Content-Type: text/plain; charset=utf-8',
    '',
    opts.body,
    '',
  ].join('\n');
