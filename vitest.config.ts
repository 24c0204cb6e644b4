import { defineConfig } from 'vitest/config';

/**
 * Suites that start child processes, real servers (Dovecot, Radicale, S3, workerd), a browser or a long run;
 * `npm run test:fast` leaves them out, `npm test` runs both projects.
 */
const slow = [
  'tests/reliability/**',
  'tests/browser/**',
  'tests/platform/**',
  'tests/real-model/**',
  'tests/ops/**',
  'tests/eval/**',
  'tests/memory/compaction.test.ts',
  'tests/kernel/crash.test.ts',
  'tests/conversation/restart.test.ts',
  'tests/approvals/reminders.test.ts',
  'tests/approvals/telegram.test.ts',
  'tests/approvals/web-chat.test.ts',
  'tests/graph/checkpointer-remote.test.ts',
  'tests/graph/checkpointer-validation.test.ts',
  'tests/connectors/caldav.test.ts',
  'tests/connectors/caldav-busy.test.ts',
  'tests/connectors/invoices.test.ts',
  'tests/connectors/replies.test.ts',
  'tests/connectors/s3.test.ts',
  'tests/server.test.ts',
  'tests/config.test.ts',
];

export default defineConfig({
  test: {
    // Several tests start child processes or a browser; their cold start, not Keel, sets this bound.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'fast', include: ['tests/**/*.test.ts'], exclude: slow } },
      { extends: true, test: { name: 'slow', include: slow.map((pattern) => (pattern.endsWith('/**') ? `${pattern}/*.test.ts` : pattern)) } },
    ],
  },
});
