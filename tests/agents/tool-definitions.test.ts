import { describe, expect, it } from 'vitest';
import { agentTools } from '../../src/agents/intents.js';
import { toolDefinitions } from '../../src/agents/model.js';

describe('the tool definitions a model is shown', () => {
  it('describe a date-time by its format alone, and keep patterns that say something a format does not', () => {
    const [reminder, meeting, invoice] = toolDefinitions({
      set_reminder: agentTools.set_reminder,
      schedule_meeting: agentTools.schedule_meeting,
      create_invoice: agentTools.create_invoice,
    });
    const properties = (definition: typeof reminder): Record<string, Record<string, unknown>> =>
      (definition?.function.parameters as { properties?: Record<string, Record<string, unknown>> } | undefined)?.properties ?? {};
    expect(properties(reminder).at).toMatchObject({ type: 'string', format: 'date-time' });
    expect(properties(reminder).at).not.toHaveProperty('pattern');
    expect(properties(meeting).startsAt).not.toHaveProperty('pattern');
    expect(properties(invoice).currency).toMatchObject({ pattern: '^[A-Z]{3}$' });
    // A whole definition stays small: the date-time pattern alone was about 500 characters.
    expect(JSON.stringify(reminder).length).toBeLessThan(1400);
  });

  it('check the reminder zod itself: a delay or a moment, and a client or a note', () => {
    expect(agentTools.set_reminder.safeParse({ note: 'Renew the domain', afterDays: 2 }).success).toBe(true);
    expect(agentTools.set_reminder.safeParse({ client: 'Acme', at: '2026-12-03T09:00:00+01:00' }).success).toBe(true);
    expect(agentTools.set_reminder.safeParse({ client: 'Acme', afterDays: 1, at: '2026-12-03T09:00:00+01:00' }).success).toBe(false);
    expect(agentTools.set_reminder.safeParse({ client: 'Acme' }).success).toBe(false);
    expect(agentTools.set_reminder.safeParse({ afterDays: 1 }).success).toBe(false);
  });
});
