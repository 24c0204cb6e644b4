import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { workersNotices, workersProblems } from '../../src/platform/workers-settings.js';

const remote = { DATABASE_URL: 'libsql://keel-olga.turso.io', DATABASE_AUTH_TOKEN: 'token', WEB_CHAT_TOKEN: 'web-chat-token-0123456789' };

describe('settings on Cloudflare Workers', () => {
  it('accepts a remote database with the web chat token', () => {
    expect(workersProblems(loadConfig(remote))).toEqual([]);
  });

  it('refuses what a Worker cannot do, one line each, naming the setting and the fix', () => {
    const problems = workersProblems(
      loadConfig({
        DATABASE_URL: 'file:./data/keel.db',
        TELEGRAM_BOT_TOKEN: '1:abc',
        TELEGRAM_OPERATOR_IDS: '4242',
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_APP_TOKEN: 'xapp-1',
        SLACK_OPERATOR_IDS: 'U0OLGA',
      }),
    );
    expect(problems.map((p) => p.split(' ')[0])).toEqual(['DATABASE_URL', 'TELEGRAM_WEBHOOK_URL', 'SLACK_SIGNING_SECRET', 'WEB_CHAT_TOKEN', 'SLACK_APP_TOKEN']);
    expect(problems[0]).toContain('libsql://');
  });

  it('says at start-up where files go and that email is not sent', () => {
    const notices = workersNotices(loadConfig({ ...remote, SMTP_URL: 'smtp://mail.example.test:587', MAIL_FROM: 'olga@example.test' }));
    expect(notices.join('\n')).toMatch(/stored in the libSQL database/);
    expect(notices.join('\n')).toMatch(/Email cannot be sent/);
    expect(notices.join('\n')).toMatch(/SMTP_URL is set but ignored/);
  });

  it('says that email goes through the email API when EMAIL_API_KEY is set, and no longer that it cannot be sent', () => {
    const notices = workersNotices(loadConfig({ ...remote, EMAIL_API_KEY: 're_test_0123456789', MAIL_FROM: 'olga@example.test' })).join('\n');
    expect(notices).toContain('email goes through the email API at api.resend.com');
    expect(notices).not.toMatch(/Email cannot be sent/);
    expect(
      workersNotices(
        loadConfig({ ...remote, EMAIL_API_KEY: 're_test_0123456789', EMAIL_API_URL: 'http://127.0.0.1:8025', MAIL_FROM: 'olga@example.test' }),
      ).join('\n'),
    ).toContain('email API at 127.0.0.1:8025');
  });
});
