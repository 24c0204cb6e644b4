import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeSettings, loadConfig } from '../src/config.js';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('configuration', () => {
  it('runs with no settings at all: the embedded default', () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBe('file:./data/keel.db');
    expect(config.PORT).toBe(3000);
    expect(config.OPENAI_API_KEY).toBeUndefined();
  });

  it('reports every wrong setting on its own line, saying how to fix it, without echoing secrets', () => {
    const attempt = () =>
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'postgres://db', TZ: 'Mars/Olympus', OPENAI_BASE_URL: 'localhost', WEB_CHAT_TOKEN: 'hunter2' });
    expect(attempt).toThrow(ConfigError);
    const problems = (() => {
      try {
        attempt();
        return [];
      } catch (e) {
        return (e as ConfigError).problems;
      }
    })();
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/^PORT must be a TCP port number/m);
    expect(problems.join('\n')).toMatch(/^DATABASE_URL must start with file:, libsql:\/\//m);
    expect(problems.join('\n')).toMatch(/^TZ must be an IANA time zone/m);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('requires a token before serving the web chat beyond localhost', () => {
    expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(/WEB_CHAT_TOKEN is required when HOST is 0.0.0.0/);
    expect(loadConfig({ HOST: '0.0.0.0', WEB_CHAT_TOKEN: 'a'.repeat(32) }).HOST).toBe('0.0.0.0');
  });

  it('checks the email API settings, one clear line each', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (e) {
        return (e as ConfigError).problems;
      }
    };
    expect(problems({ EMAIL_API_KEY: 're_test_0123456789' })).toEqual([expect.stringMatching(/^MAIL_FROM is required with EMAIL_API_KEY/)]);
    expect(problems({ EMAIL_API_KEY: 're_test_0123456789', MAIL_FROM: 'olga@example.test', SMTP_URL: 'smtp://mail.example.test:587' })).toEqual([
      expect.stringMatching(/^EMAIL_API_KEY and SMTP_URL are both set: email goes one way/),
    ]);
    expect(problems({ EMAIL_API_URL: 'http://127.0.0.1:8025' })).toEqual([expect.stringMatching(/^EMAIL_API_KEY is required when EMAIL_API_URL is set/)]);
    expect(problems({ EMAIL_API_KEY: 're test', EMAIL_API_URL: 'api.resend.com', MAIL_FROM: 'olga@example.test' })).toEqual([
      expect.stringMatching(/^EMAIL_API_KEY must be the API key as the email service shows it/),
      expect.stringMatching(/^EMAIL_API_URL must be the http\(s\) root of the email API/),
    ]);
    expect(loadConfig({ EMAIL_API_KEY: 're_test_0123456789', MAIL_FROM: 'olga@example.test' })).toMatchObject({
      EMAIL_API_KEY: 're_test_0123456789',
      EMAIL_API_URL: undefined,
    });
  });

  it('stops `npm start` with exit code 1 and one line per problem, no stack trace', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH, PORT: '99999', LOG_LEVEL: 'loud' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines[0]).toBe('Keel cannot start; fix these settings:');
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^ {2}- PORT must be between 0 and 65535/),
      expect.stringMatching(/^ {2}- LOG_LEVEL must be one of debug, info, warn, error/),
    ]);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('documents every setting in the README configuration table', () => {
    const readme = readFileSync(`${root}/README.md`, 'utf8');
    for (const setting of describeSettings()) expect(readme).toContain(`| \`${setting.name}\``);
  });
});
