/** The playbook the crash sweep runs, shared by the child process and the test. */
export const crashEnv = { TELEGRAM_OPERATOR_IDS: '4242', MEMORY_INDEX_INTERVAL_SECONDS: '3600' };

export const operator = { transport: 'telegram', sender: 'telegram:4242', chat: '4242' } as const;

export const routine = 'when a proposal is accepted: create a project for it, send the welcome email, invoice a 30% deposit';

/** The tap on "Approve all"; Telegram re-delivers it with the same id when it was not acknowledged. */
export const batchTap = (ref: string) => ({ ...operator, eventId: 'callback:2002', payload: { kind: 'card_action', ref, action: 'batch' } });
