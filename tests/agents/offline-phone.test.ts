import { AIMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { agentTools, coordinatorTools, type AgentToolName } from '../../src/agents/intents.js';
import { scopes } from '../../src/agents/scopes.js';
import { OfflineChatModel, parseIntent } from '../../src/agents/offline-model/index.js';
import { normalizeTyping } from '../../src/agents/offline-model/typos.js';

// Wednesday 2 December 2026, 09:00 UTC.
const now = new Date('2026-12-02T09:00:00+00:00');
const parse = (text: string) => parseIntent(text, { now, timeZone: 'UTC', defaultCurrency: 'EUR' });
const finance = () =>
  new OfflineChatModel({ clock: new ManualClock(now), timeZone: 'UTC', defaultCurrency: 'EUR' }).bindTools(
    scopes.finance.tools.map((name: AgentToolName) =>
      tool(async () => 'done', { name, description: agentTools[name].description ?? name, schema: agentTools[name] }),
    ),
  );

/** The finance agent's second step: its own list_invoices call, and the listing it got back. */
const afterListing = (request: string, listing: string) => [
  new HumanMessage(request),
  new AIMessage({ content: '', tool_calls: [{ id: 'call_1', name: 'list_invoices', args: { status: 'sent' } }] }),
  new ToolMessage({ content: listing, tool_call_id: 'call_1' }),
];
const twoOpen =
  'Sent invoices for Acme Corp (2, total 3,300.00 EUR):\n• 2026-0002 Acme Corp: 1,500.00 EUR, sent, due 2026-11-14\n• 2026-0004 Acme Corp: 1,800.00 EUR, sent, due 2026-12-20';

describe('phone typing', () => {
  it('expands shorthand and near-miss keywords, and leaves names, addresses and handles alone', () => {
    expect(normalizeTyping('invocie acme 10h')).toBe('invoice acme 10h');
    expect(normalizeTyping('book a cal w tom tmrw')).toBe('book a call with tom tomorrow');
    expect(normalizeTyping('tsak: renew insurance')).toBe('task: renew insurance');
    expect(normalizeTyping('add Remnd Ltd, contact inv@shedule.test, link telegram:4242')).toBe('add Remnd Ltd, contact inv@shedule.test, link telegram:4242');
    expect(normalizeTyping('remember that Dana is a fellow runner')).toBe('remember that Dana is a fellow runner');
    expect(normalizeTyping('an ad campaign')).toBe('an ad campaign');
  });
});

describe('payments named by payer or amount', () => {
  it('reads who paid and how much, and leaves the invoice to be looked up', () => {
    expect(parse('beta paid')).toMatchObject({ kind: 'clarify', tool: 'record_payment', lookup: { client: 'beta' } });
    expect(parse('got €1,800 from Beta')).toMatchObject({ kind: 'clarify', tool: 'record_payment', lookup: { client: 'Beta', amount: 1800 } });
    expect(parse('received 1.5k from acme')).toMatchObject({ lookup: { client: 'acme', amount: 1500 } });
    expect(parse('got 1.500,00 € from acme')).toMatchObject({ lookup: { amount: 1500 } });
  });

  it('treats a question about paying as a listing, never a payment', () => {
    for (const text of ['who hasnt paid yet?', "who hasn't paid?", 'has beta paid?', 'did acme pay yet']) {
      expect(parse(text), text).toMatchObject({ kind: 'tool', tool: 'list_invoices', args: { status: 'sent' } });
    }
  });

  it('lists the payer’s open invoices first', async () => {
    const answer = await finance().invoke([new HumanMessage('acme paid')]);
    expect(answer.tool_calls).toMatchObject([{ name: 'list_invoices', args: { client: 'acme', status: 'sent' } }]);
  });

  it('pays the only invoice of the amount stated', async () => {
    const answer = await finance().invoke(afterListing('got €1,800 from acme', twoOpen));
    expect(answer.tool_calls).toMatchObject([{ name: 'record_payment', args: { invoice: '2026-0004' } }]);
  });

  it('asks which one when several fit, and says so when none is open', async () => {
    const several = await finance().invoke(afterListing('acme paid', twoOpen));
    expect(several.tool_calls).toEqual([]);
    expect(several.text).toMatch(/^Which invoice did acme pay\? Send its number/);
    expect(several.text).toContain('2026-0004');
    const none = await finance().invoke(afterListing('gamma paid', 'No sent invoices for Gamma Ltd.'));
    expect(none.tool_calls).toEqual([]);
    expect(none.text).toMatch(/no open invoice for gamma, so nothing was marked as paid/);
  });

  it('relays the payment’s own result rather than looking again', async () => {
    const messages = [
      ...afterListing('beta paid', '• 2026-0003 Beta GmbH: 1,800.00 EUR, sent, due 2026-11-19'),
      new AIMessage({ content: '', tool_calls: [{ id: 'call_2', name: 'record_payment', args: { invoice: '2026-0003' } }] }),
      new ToolMessage({ content: 'Prepared for your approval: record a payment.', tool_call_id: 'call_2' }),
    ];
    const answer = await finance().invoke(messages);
    expect(answer.tool_calls).toEqual([]);
    expect(answer.text).toBe('Prepared for your approval: record a payment.');
  });
});

describe('day rates and fixed prices', () => {
  it('reads a day rate or a fixed price as a line, never as an hourly rate, and asks about a mix', () => {
    expect(parse('draft a proposal for beta, 2 day workshop, €1,500 per day')).toMatchObject({
      kind: 'tool',
      tool: 'draft_proposal',
      args: { client: 'beta', title: '2 day workshop', lines: [{ quantity: 2, unit: 'day', price: 1500 }], currency: 'EUR' },
    });
    expect(parse('invoice beta 2 days at 1200/day')).toMatchObject({
      kind: 'tool',
      args: { client: 'beta', lines: [{ quantity: 2, unit: 'day', price: 1200 }] },
    });
    expect(parse('draft a proposal for beta, workshop 3k fixed price')).toMatchObject({
      kind: 'tool',
      args: { lines: [{ quantity: 1, unit: 'fixed', price: 3000 }] },
    });
    expect(parse('invoice acme fixed price 3k')).toMatchObject({ kind: 'tool', args: { client: 'acme', lines: [{ unit: 'fixed', price: 3000 }] } });
    expect(parse('invoice acme 10 hours at 140')).toMatchObject({ kind: 'tool', args: { client: 'acme', hours: 10, rate: 140 } });
    for (const text of ['invoice acme 10h at 1200/day', 'invoice acme 5000 EUR']) {
      const intent = parse(text);
      expect(intent.kind, text).toBe('clarify');
      if (intent.kind === 'clarify') expect(intent.question).toMatch(/how many hours at what rate, how many days at what day rate, or a fixed price/);
    }
  });
});

describe('reminders', () => {
  it('reads a day or "next week" as the delay, and whom the errand is for', () => {
    expect(parse('nudge tom next week')).toMatchObject({ kind: 'tool', tool: 'set_reminder', args: { client: 'tom', afterDays: 7 } });
    expect(parse('chase dana tomorrow')).toMatchObject({ kind: 'tool', tool: 'set_reminder', args: { client: 'dana', afterDays: 1 } });
    expect(parse('remind me to chase beta in 2 weeks')).toMatchObject({ kind: 'tool', tool: 'set_reminder', args: { client: 'beta', afterDays: 14 } });
    expect(parse('remind me to send the contract to Beta in 3 days')).toMatchObject({
      args: { client: 'Beta', afterDays: 3, note: 'Send the contract to Beta' },
    });
    // Asked as an email now, it stays one.
    expect(parse('draft a follow-up to Dana tomorrow')).toMatchObject({ kind: 'tool', tool: 'draft_followup' });
  });

  it('reads hours and minutes as a delay and a time of day as its moment, so a turn read again asks for the same reminder', () => {
    expect(parse('remind me in 2 hours to call dana')).toMatchObject({ tool: 'set_reminder', args: { client: 'dana', afterDays: 2 / 24 } });
    expect(parse('chase dana in 2 hours')).toMatchObject({ tool: 'set_reminder', args: { client: 'dana', afterDays: 2 / 24 } });
    expect(parse('ping acme in 45 minutes')).toMatchObject({ tool: 'set_reminder', args: { client: 'acme', afterDays: 45 / 1440 } });
    expect(parse('remind me to call dana tomorrow at 9')).toMatchObject({ tool: 'set_reminder', args: { client: 'dana', at: '2026-12-03T09:00:00+00:00' } });
    expect(parse('remind me on friday at 3pm to call dana')).toMatchObject({ tool: 'set_reminder', args: { client: 'dana', at: '2026-12-04T15:00:00+00:00' } });
    // 09:00 now: 4pm is today, 8am has passed and is tomorrow.
    expect(parse('remind me at 4pm to call tom')).toMatchObject({ args: { client: 'tom', at: '2026-12-02T16:00:00+00:00' } });
    expect(parse('remind me at 8am to call acme')).toMatchObject({ args: { client: 'acme', at: '2026-12-03T08:00:00+00:00' } });
    expect(parse('remind me tonight to email beta')).toMatchObject({ args: { client: 'beta', at: '2026-12-02T20:00:00+00:00' } });
    expect(parse('remind me tomorrow 9am to call tom')).toMatchObject({ args: { client: 'tom', at: '2026-12-03T09:00:00+00:00' } });
    // A time that is what the nudge is about is no due time: these stay an email now, or a reminder for the day.
    expect(parse('chase acme about the 2pm call')).toMatchObject({ tool: 'draft_followup', args: { client: 'acme', topic: 'the 2pm call' } });
    expect(parse('follow up with dana about the 3pm meeting')).toMatchObject({ tool: 'draft_followup' });
    expect(parse('nudge tom about the 10:30 slot tomorrow')).toMatchObject({ tool: 'set_reminder', args: { client: 'tom', afterDays: 1 } });
    expect(parse('remind me next monday to send beta the contract')).toMatchObject({
      args: { client: 'beta', afterDays: 5, note: 'Send beta the contract' },
    });
  });

  it('keeps an errand of the operator’s own as the note, with no client, and asks when when no time is given', () => {
    const errand = parse('remind me to renew the domain in 2 days');
    expect(errand).toMatchObject({ tool: 'set_reminder', args: { afterDays: 2, note: 'Renew the domain' } });
    expect(errand.kind === 'tool' && 'client' in errand.args).toBe(false);
    expect(parse('remind me in half an hour to call the bank')).toMatchObject({ tool: 'set_reminder', args: { afterDays: 0.5 / 24, note: 'Call the bank' } });
    expect(parse('remind me in 30 minutes to send the invoice')).toMatchObject({
      tool: 'set_reminder',
      args: { afterDays: 30 / 1440, note: 'Send the invoice' },
    });
    expect(parse('remind me to renew the domain')).toMatchObject({
      kind: 'clarify',
      tool: 'set_reminder',
      question: expect.stringMatching(/^When should I remind you\?/),
    });
  });
});

describe('phrasings as people type them', () => {
  it('reads each as the request it is, not another one or none', () => {
    expect(parse('send acme an invoice for 10 hours at 120')).toMatchObject({ tool: 'create_invoice', args: { client: 'acme', hours: 10, rate: 120 } });
    expect(parse('got paid by beta')).toMatchObject({ kind: 'clarify', tool: 'record_payment', lookup: { client: 'beta' } });
    expect(parse('remind me tomorrow to send the contract to beta')).toMatchObject({
      tool: 'set_reminder',
      args: { client: 'beta', afterDays: 1, note: 'Send the contract to beta' },
    });
    expect(parse('schedule call w/ tom fri 10am')).toMatchObject({ tool: 'schedule_meeting', args: { client: 'tom', startsAt: '2026-12-04T10:00:00+00:00' } });
    expect(parse('email dana to say thanks for the meeting')).toMatchObject({
      tool: 'draft_followup',
      args: { client: 'dana', topic: 'thanks for the meeting' },
    });
    expect(parse('write to tom that the draft is ready')).toMatchObject({ tool: 'draft_followup', args: { client: 'tom', topic: 'the draft is ready' } });
    expect(parse('I worked 5h for beta yesterday')).toMatchObject({ tool: 'log_time', args: { client: 'beta', hours: 5, day: '2026-12-01' } });
    expect(parse('done with the NDA task')).toMatchObject({ tool: 'complete_task', args: { task: 'NDA' } });
    expect(parse("what's on my plate this week")).toMatchObject({ tool: 'list_tasks', args: { due: 'week' } });
    expect(parse('what did I charge acme for the website last time?')).toMatchObject({ tool: 'recall' });
    expect(parse('draft an email to dana about next steps')).toMatchObject({ tool: 'draft_followup', args: { client: 'dana', topic: 'next steps' } });
    expect(parse('send dana a quick note about the invoice')).toMatchObject({ tool: 'draft_followup', args: { client: 'dana', topic: 'the invoice' } });
    expect(parse('add a client called Omega Labs with email ops@omega.dev')).toEqual({
      kind: 'tool',
      tool: 'add_client',
      args: { name: 'Omega Labs', email: 'ops@omega.dev' },
    });
    expect(parse('bill acme 3 hrs 120 each')).toMatchObject({ tool: 'create_invoice', args: { client: 'acme', hours: 3, rate: 120 } });
    expect(parse("who's late paying")).toEqual({ kind: 'tool', tool: 'list_invoices', args: { status: 'overdue' } });
    expect(parse('who is behind with payments')).toEqual({ kind: 'tool', tool: 'list_invoices', args: { status: 'overdue' } });
    expect(parse('new lead: Sigma GmbH, max@sigma.de')).toMatchObject({ tool: 'add_client', args: { name: 'Sigma GmbH', contactName: 'Max' } });
  });

  it('reads days at a sum as a day rate, asks when days and hours are mixed, and never drops either', () => {
    expect(parse('invoice beta for the workshop, 2 days at 1200')).toMatchObject({
      tool: 'create_invoice',
      args: { client: 'beta', lines: [{ quantity: 2, unit: 'day', price: 1200 }] },
    });
    expect(parse('invoice acme half a day at 600')).toMatchObject({ args: { client: 'acme', lines: [{ quantity: 0.5, unit: 'day', price: 600 }] } });
    expect(parse('invoice Half Moon Bay Ltd 10h at 100')).toMatchObject({ args: { client: 'Half Moon Bay Ltd', hours: 10 } });
    expect(parse('invoice acme 2 days and 4 hours at 150')).toMatchObject({ kind: 'clarify', tool: 'create_invoice' });
    expect(parse('invoice acme 10h at 150 for the last 2 days')).toMatchObject({ args: { hours: 10, rate: 150 } });
  });

  it('sets one detail of the profile or a client at a time, and never reads "address" as a name', () => {
    expect(parse('my business address is Hauptstr. 1, 10115 Berlin, Germany')).toEqual({
      kind: 'tool',
      tool: 'set_business_profile',
      args: { addressLines: ['Hauptstr. 1'], postcode: '10115', city: 'Berlin', country: 'DE' },
    });
    expect(parse('our company address: Hauptstr. 1, 10115 Berlin, Germany')).toMatchObject({ args: { addressLines: ['Hauptstr. 1'] } });
    expect(parse('set my vat id to DE123456789')).toMatchObject({ tool: 'set_business_profile', args: { vatId: 'DE123456789' } });
    expect(parse("acme's address is Torstr. 5, 10119 Berlin, Germany")).toMatchObject({ tool: 'set_client_billing', args: { client: 'acme', city: 'Berlin' } });
    expect(parse('show pending approvals')).toMatchObject({ tool: 'status' });
  });

  it('sends, drafts and chases the client named, not a word beside it', () => {
    expect(parse('send the acme proposal')).toMatchObject({ tool: 'send_proposal', args: { client: 'acme' } });
    expect(parse('send beta the workshop proposal')).toMatchObject({ tool: 'send_proposal', args: { client: 'beta' } });
    expect(parse('draft a proposal for gamma like the one for acme')).toMatchObject({ tool: 'draft_proposal', args: { client: 'gamma' } });
    expect(parse('chase acme for payment')).toMatchObject({ tool: 'draft_followup', args: { client: 'acme' } });
  });

  it('looks a past proposal up when asked to find one, and never drafts another', () => {
    for (const text of ["find the proposal for beta's redesign", 'show me the last proposal for acme', 'where is the quote for gamma']) {
      expect(parse(text), text).toMatchObject({ kind: 'tool', tool: 'recall' });
    }
    expect(parse('find dana')).toMatchObject({ tool: 'find_client', args: { query: 'dana' } });
    expect(parse('draft a proposal for acme: website redesign, 60 hours at 110')).toMatchObject({ tool: 'draft_proposal' });
  });
});

describe('meeting times', () => {
  it('reads an hour without am or pm in working hours, and keeps one that says which', () => {
    const startsAt = (text: string) => {
      const intent = parse(text);
      return intent.kind === 'tool' && intent.tool === 'schedule_meeting' ? intent.args.startsAt : intent;
    };
    expect(startsAt('book a call with lee on friday at 2')).toBe('2026-12-04T14:00:00+00:00');
    expect(startsAt('book a call with lee on friday at 5:30')).toBe('2026-12-04T17:30:00+00:00');
    expect(startsAt('book a call with lee on friday at 9')).toBe('2026-12-04T09:00:00+00:00');
    expect(startsAt('book a call with lee on friday at 2am')).toBe('2026-12-04T02:00:00+00:00');
    expect(startsAt('book a call with lee on friday at 02:30')).toBe('2026-12-04T02:30:00+00:00');
  });
});

describe('two requests in one message', () => {
  const agent = (name: keyof typeof scopes) =>
    new OfflineChatModel({ clock: new ManualClock(now), timeZone: 'UTC', defaultCurrency: 'EUR' }).bindTools(
      scopes[name].tools.map((t: AgentToolName) => tool(async () => 'done', { name: t, description: agentTools[t].description ?? t, schema: agentTools[t] })),
    );

  it('calls both tools when both are this agent’s, with ids of their own', async () => {
    const answer = await agent('finance').invoke([new HumanMessage('invoice beta 4h and invoice gamma 2h at 150')]);
    expect(answer.tool_calls).toMatchObject([
      { name: 'create_invoice', args: { client: 'beta', hours: 4 } },
      { name: 'create_invoice', args: { client: 'gamma', hours: 2, rate: 150 } },
    ]);
    expect(new Set(answer.tool_calls!.map((c) => c.id)).size).toBe(2);
  });

  it('does its own part and says which part it did not do', async () => {
    const text = 'invoice acme 10h at 150 and book a call with dana tomorrow at 10';
    const first = await agent('finance').invoke([new HumanMessage(text)]);
    expect(first.tool_calls).toMatchObject([{ name: 'create_invoice', args: { client: 'acme', hours: 10 } }]);
    const answer = await agent('finance').invoke([
      new HumanMessage(text),
      first,
      new ToolMessage({ content: 'Prepared for your approval: issue an invoice.', tool_call_id: first.tool_calls![0]!.id! }),
    ]);
    expect(answer.text).toBe(
      'Prepared for your approval: issue an invoice.\nNot done: "book a call with dana tomorrow at 10" is for another agent; send it as a message of its own.',
    );
  });

  it('reads "another" as a second request of the same kind', async () => {
    const answer = await agent('operations').invoke([new HumanMessage('add a task to renew the domain and another to file the VAT return by friday')]);
    expect(answer.tool_calls).toMatchObject([
      { name: 'add_task', args: { title: 'Renew the domain' } },
      { name: 'add_task', args: { title: 'File the VAT return', due: '2026-12-04' } },
    ]);
    expect(answer.tool_calls![0]!.args).not.toHaveProperty('due');
  });

  it('routes a payment named by its payer apart from a request for another agent', async () => {
    const coordinator = new OfflineChatModel({ clock: new ManualClock(now), timeZone: 'UTC', defaultCurrency: 'EUR' }).bindTools(
      Object.entries(coordinatorTools).map(([name, schema]) => tool(async () => 'done', { name, description: name, schema })),
    );
    const answer = await coordinator.invoke([new HumanMessage('beta paid, and remind me to chase acme in a week')]);
    expect(answer.tool_calls).toMatchObject([
      { name: 'route', args: { agent: 'finance', request: 'beta paid' } },
      { name: 'route', args: { request: 'remind me to chase acme in a week' } },
    ]);
    // Both for one agent: the payment is routed on its own, so its agent looks the invoice up before anything else.
    const both = await coordinator.invoke([new HumanMessage('beta paid and invoice acme 10h at 150')]);
    expect(both.tool_calls).toMatchObject([
      { name: 'route', args: { agent: 'finance', request: 'beta paid' } },
      { name: 'route', args: { agent: 'finance', request: 'invoice acme 10h at 150' } },
    ]);
  });

  it('keeps one request whole when the rest does not read as a request', () => {
    expect(parse('invoice Acme 10 hours at 150 EUR for design and development')).toMatchObject({
      kind: 'tool',
      tool: 'create_invoice',
      args: { description: 'design and development' },
    });
    expect(parse('task: send the draft to Dana and book the room by Friday')).toMatchObject({ kind: 'tool', tool: 'add_task' });
  });
});
