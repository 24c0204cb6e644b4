/**
 * The approval workflow the crash sweep runs, shared by the child process and
 * the test: the operator asks on Telegram for an invoice, then taps Approve.
 * Telegram re-delivers an update that was not acknowledged with the same
 * update_id, which is what a restarted Keel receives after a crash.
 */
// No bot token: the events enter through the conversation as the Telegram transport would pass them, and nothing tries to reach api.telegram.org.
export const crashEnv = { TELEGRAM_OPERATOR_IDS: '4242', MEMORY_INDEX_INTERVAL_SECONDS: '3600' };

export const operator = { transport: 'telegram', sender: 'telegram:4242', chat: '4242' } as const;

export const raiseEvent = {
  ...operator,
  eventId: 'update:1001',
  payload: { kind: 'text', text: 'Invoice Acme 10 hours at 150 EUR for October consulting' },
};

export const tapEvent = (ref: string) => ({ ...operator, eventId: 'callback:1002', payload: { kind: 'decision', ref, decision: 'approve' } });
