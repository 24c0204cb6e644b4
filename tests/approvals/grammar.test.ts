import { describe, expect, it } from 'vitest';
import { parseIntent } from '../../src/agents/offline-model/index.js';

const now = new Date('2026-11-25T10:00:00Z');
const parse = (text: string) => parseIntent(text, { now, timeZone: 'Europe/Berlin', defaultCurrency: 'EUR' });

describe('offline grammar for approvals', () => {
  it('reads edits of a card', () => {
    expect(parse('edit act_1: make it 12 hours')).toEqual({
      kind: 'tool',
      tool: 'revise_action',
      args: { action: 'act_1', instruction: 'make it 12 hours', hours: 12 },
    });
    expect(parse('edit act_1: send it to billing@acme.test instead')).toMatchObject({ args: { to: 'billing@acme.test' } });
    expect(parse('edit act_1: rate 180 EUR')).toMatchObject({ args: { rate: 180 } });
    expect(parse('edit act_1: make it 45 minutes')).toMatchObject({ args: { durationMinutes: 45 } });
    expect(parse('edit act_1: move it to tomorrow at 11')).toMatchObject({ args: { startsAt: '2026-11-26T11:00:00+01:00' } });
    expect(parse('edit act_1: subject: Invoice questions')).toMatchObject({ args: { subject: 'Invoice questions' } });
  });

  it('answers bad edits with a question, never a tool call', () => {
    expect(parse('edit act_1: make it -3 hours')).toMatchObject({ kind: 'clarify', question: expect.stringMatching(/more than zero.*Nothing was changed/) });
    expect(parse('edit act_1: send it to billing@acme instead')).toMatchObject({
      kind: 'clarify',
      question: expect.stringMatching(/"billing@acme" is not an email address/),
    });
    expect(parse('edit act_1: whatever you think')).toMatchObject({ kind: 'clarify', question: expect.stringMatching(/could not read a change/) });
    expect(parse('make it 12 hours')).toMatchObject({ kind: 'clarify', question: expect.stringMatching(/Tap Edit/) });
  });

  it('reads standing rules', () => {
    expect(parse('always approve invoices under 500 EUR to existing clients')).toMatchObject({
      kind: 'tool',
      tool: 'propose_rule',
      args: { kind: 'invoices', maxAmount: 500, currency: 'EUR', existingClientsOnly: true },
    });
    expect(parse('auto-approve emails to acme.test')).toMatchObject({ args: { kind: 'emails', recipientDomain: 'acme.test' } });
    expect(parse('always approve meetings with Acme, at most 3 a day, for 30 days')).toMatchObject({
      args: { kind: 'meetings', client: 'Acme', perDay: 3, forDays: 30 },
    });
    expect(parse('always approve invoices to Acme')).toMatchObject({ kind: 'clarify', question: expect.stringMatching(/Up to what amount/) });
  });
});
