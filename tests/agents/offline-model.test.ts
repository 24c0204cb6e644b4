import { AIMessage, AIMessageChunk, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ManualClock } from '../../src/core/clock.js';
import { agentTools, coordinatorTools, type AgentName, type AgentToolName } from '../../src/agents/intents.js';
import { scopes } from '../../src/agents/scopes.js';
import { OfflineChatModel, parseIntent, type ParsedIntent } from '../../src/agents/offline-model/index.js';

// Monday 5 January 2026, 10:00 in Berlin.
const now = new Date('2026-01-05T09:00:00Z');
const options = { now, timeZone: 'Europe/Berlin', defaultCurrency: 'EUR' };
const parse = (text: string) => parseIntent(text, options);

const langchainTools = (names: readonly AgentToolName[]) =>
  names.map((name) => tool(async () => 'done', { name, description: agentTools[name].description ?? name, schema: agentTools[name] }));
const openAITools = (names: readonly AgentToolName[]) =>
  names.map((name) => ({
    type: 'function' as const,
    function: { name, description: agentTools[name].description ?? name, parameters: z.toJSONSchema(agentTools[name]) },
  }));
const coordinatorToolList = Object.entries(coordinatorTools).map(([name, schema]) => ({ name, description: schema.description ?? name, schema }));
const allAgentTools = Object.keys(agentTools) as AgentToolName[];

const model = () => new OfflineChatModel({ clock: new ManualClock(now), timeZone: 'Europe/Berlin', defaultCurrency: 'EUR' });

/** The single tool call an answer carries, checked against the schema of the tool it names. */
function onlyCall(message: AIMessage) {
  expect(message.tool_calls).toHaveLength(1);
  const [call] = message.tool_calls ?? [];
  if (call === undefined) throw new Error('no tool call');
  const schema = { ...agentTools, ...coordinatorTools }[call.name as AgentToolName];
  expect(schema.safeParse(call.args).success).toBe(true);
  return call;
}

describe('parseIntent: the phrasings the README promises', () => {
  const cases: [string, ParsedIntent][] = [
    [
      'Add Acme Corp as a client, contact dana@acme.test',
      { kind: 'tool', tool: 'add_client', args: { name: 'Acme Corp', contactName: 'Dana', email: 'dana@acme.test' } },
    ],
    [
      'new client Beta GmbH, contact Lee Park lee@beta.test',
      { kind: 'tool', tool: 'add_client', args: { name: 'Beta GmbH', contactName: 'Lee Park', email: 'lee@beta.test' } },
    ],
    [
      'Gamma Ltd is a new client, Sam Lee <sam@gamma.test>',
      { kind: 'tool', tool: 'add_client', args: { name: 'Gamma Ltd', contactName: 'Sam Lee', email: 'sam@gamma.test', isNew: true } },
    ],
    ['add Gamma AG as a new client', { kind: 'tool', tool: 'add_client', args: { name: 'Gamma AG', isNew: true } }],
    ['void invoice 2026-0002', { kind: 'tool', tool: 'void_invoice', args: { invoice: '2026-0002' } }],
    ['cancel invoice #2026-0002', { kind: 'tool', tool: 'void_invoice', args: { invoice: '2026-0002' } }],
    ['add Delta as a client, contact info@delta.test', { kind: 'tool', tool: 'add_client', args: { name: 'Delta', email: 'info@delta.test' } }],
    [
      'Invoice Acme 10 hours at 150 EUR for October consulting',
      { kind: 'tool', tool: 'create_invoice', args: { client: 'Acme', hours: 10, rate: 150, currency: 'EUR', description: 'October consulting' } },
    ],
    ["invoice Acme 40h at last quarter's rate", { kind: 'tool', tool: 'create_invoice', args: { client: 'Acme', hours: 40, description: 'Consulting' } }],
    ['bill Acme for 12.5 hours', { kind: 'tool', tool: 'create_invoice', args: { client: 'Acme', hours: 12.5, description: 'Consulting' } }],
    [
      'hi, can you invoice Acme Corp 40h at €120/h please',
      { kind: 'tool', tool: 'create_invoice', args: { client: 'Acme Corp', hours: 40, rate: 120, currency: 'EUR', description: 'Consulting' } },
    ],
    [
      'create an invoice for Acme: 10h at 150 USD - workshop prep',
      { kind: 'tool', tool: 'create_invoice', args: { client: 'Acme', hours: 10, rate: 150, currency: 'USD', description: 'workshop prep' } },
    ],
    [
      'invoice 10 hours to Acme at 150 EUR',
      { kind: 'tool', tool: 'create_invoice', args: { client: 'Acme', hours: 10, rate: 150, currency: 'EUR', description: 'Consulting' } },
    ],
    [
      'bill Beta GmbH 8 hours at 1.500,50 EUR',
      { kind: 'tool', tool: 'create_invoice', args: { client: 'Beta GmbH', hours: 8, rate: 1500.5, currency: 'EUR', description: 'Consulting' } },
    ],
    ['draft a follow-up to Dana', { kind: 'tool', tool: 'draft_followup', args: { client: 'Dana' } }],
    ['follow up with Dana about the workshop', { kind: 'tool', tool: 'draft_followup', args: { client: 'Dana', topic: 'the workshop' } }],
    ['follow up on the workshop with Dana', { kind: 'tool', tool: 'draft_followup', args: { client: 'Dana', topic: 'the workshop' } }],
    [
      'draft a proposal for Beta: 2-day workshop, 16 hours at 150 EUR',
      {
        kind: 'tool',
        tool: 'draft_proposal',
        args: { client: 'Beta', title: '2-day workshop', scope: '2-day workshop, 16 hours at 150 EUR', hours: 16, rate: 150, currency: 'EUR' },
      },
    ],
    [
      'new prospect Beta wants the same kind of workshop as Acme, draft a proposal',
      { kind: 'tool', tool: 'draft_proposal', args: { client: 'Beta', title: 'Workshop', scope: 'the same kind of workshop as Acme' } },
    ],
    [
      'schedule a meeting with Acme tomorrow at 10:00 for 45 minutes',
      { kind: 'tool', tool: 'schedule_meeting', args: { client: 'Acme', title: 'Meeting', startsAt: '2026-01-06T10:00:00+01:00', durationMinutes: 45 } },
    ],
    [
      'book a call with Dana on 2026-12-03 14:30',
      { kind: 'tool', tool: 'schedule_meeting', args: { client: 'Dana', title: 'Call', startsAt: '2026-12-03T14:30:00+01:00', durationMinutes: 30 } },
    ],
    [
      'book a call with Dana on 2026-07-03 14:30',
      { kind: 'tool', tool: 'schedule_meeting', args: { client: 'Dana', title: 'Call', startsAt: '2026-07-03T14:30:00+02:00', durationMinutes: 30 } },
    ],
    [
      'book a call with Dana Friday at 3pm',
      { kind: 'tool', tool: 'schedule_meeting', args: { client: 'Dana', title: 'Call', startsAt: '2026-01-09T15:00:00+01:00', durationMinutes: 30 } },
    ],
    [
      'set up a sync with Acme Corp on 3 December at 14:00 for an hour',
      { kind: 'tool', tool: 'schedule_meeting', args: { client: 'Acme Corp', title: 'Meeting', startsAt: '2026-12-03T14:00:00+01:00', durationMinutes: 60 } },
    ],
    [
      'schedule a meeting with Acme about the roadmap tomorrow at 10',
      { kind: 'tool', tool: 'schedule_meeting', args: { client: 'Acme', title: 'Roadmap', startsAt: '2026-01-06T10:00:00+01:00', durationMinutes: 30 } },
    ],
    // 08:00 has passed on Monday morning in Berlin, so a bare time means tomorrow.
    [
      'book a call with Dana at 08:00',
      { kind: 'tool', tool: 'schedule_meeting', args: { client: 'Dana', title: 'Call', startsAt: '2026-01-06T08:00:00+01:00', durationMinutes: 30 } },
    ],
    ["what's overdue?", { kind: 'tool', tool: 'list_invoices', args: { status: 'overdue' } }],
    ['show invoices for Acme', { kind: 'tool', tool: 'list_invoices', args: { client: 'Acme' } }],
    ["Acme Corp's unpaid invoices", { kind: 'tool', tool: 'list_invoices', args: { client: 'Acme Corp', status: 'sent' } }],
    ['what does Acme owe?', { kind: 'tool', tool: 'list_invoices', args: { client: 'Acme', status: 'sent' } }],
    ['mark invoice 2026-0003 as paid', { kind: 'tool', tool: 'record_payment', args: { invoice: '2026-0003' } }],
    ['Acme paid invoice 2026-0003', { kind: 'tool', tool: 'record_payment', args: { invoice: '2026-0003' } }],
    ['remember that Dana prefers calls on Fridays', { kind: 'tool', tool: 'remember_note', args: { text: 'Dana prefers calls on Fridays', client: 'Dana' } }],
    ['note for Acme: they pay late', { kind: 'tool', tool: 'remember_note', args: { text: 'They pay late', client: 'Acme' } }],
    ['what do we know about Acme?', { kind: 'tool', tool: 'recall', args: { query: 'Acme' } }],
    ['recall the Acme workshop', { kind: 'tool', tool: 'recall', args: { query: 'Acme workshop' } }],
    ['who is Dana?', { kind: 'tool', tool: 'find_client', args: { query: 'Dana' } }],
    ["what's Dana's email?", { kind: 'tool', tool: 'find_client', args: { query: 'Dana' } }],
    ['status', { kind: 'tool', tool: 'status', args: {} }],
    ["what's pending?", { kind: 'tool', tool: 'status', args: {} }],
    ['draft a LinkedIn post about pricing workshops', { kind: 'tool', tool: 'draft_post', args: { topic: 'pricing workshops', channel: 'linkedin' } }],
    ['write a newsletter on client onboarding', { kind: 'tool', tool: 'draft_post', args: { topic: 'client onboarding', channel: 'newsletter' } }],
    ['help', { kind: 'help' }],
    ['hi', { kind: 'help' }],
    ['what can you do?', { kind: 'help' }],
    ['', { kind: 'help' }],
    ['what is the meaning of life', { kind: 'help', unknown: 'what is the meaning of life' }],
  ];

  it.each(cases)('%s', (text, expected) => {
    const intent = parse(text);
    expect(intent).toEqual(expected);
    if (intent.kind === 'tool') expect(agentTools[intent.tool].safeParse(intent.args).success).toBe(true);
  });
});

describe('parseIntent: missing essentials become one question', () => {
  it.each([
    ['invoice Acme', 'create_invoice', /how many hours should I bill Acme/i],
    ['invoice Acme 5000 EUR', 'create_invoice', /how many hours/i],
    ['invoice', 'create_invoice', /which client/i],
    ['invoice Acme 10 hours at 0 EUR', 'create_invoice', /how many hours, at what rate/i],
    ['schedule a call with Dana', 'schedule_meeting', /what time should the call with Dana start/i],
    ['schedule a call with Dana on Friday', 'schedule_meeting', /what time on 2026-01-09/i],
    ['schedule a meeting with Acme on 2026-01-01 at 10:00', 'schedule_meeting', /already passed/i],
    ['schedule a meeting with Acme tomorrow at 10 for 25 hours', 'schedule_meeting', /how long/i],
    ['draft a follow-up', 'draft_followup', /who should the follow-up go to/i],
    ['draft a proposal', 'draft_proposal', /who is the proposal for/i],
    ['draft a post', 'draft_post', /what should the post be about/i],
    ['Acme paid', 'record_payment', /which invoice did Acme pay/i],
    ['add Acme as a client, contact dana@acme', 'add_client', /email address doesn't look right/i],
  ])('%s', (text, tool, question) => {
    const intent = parse(text);
    expect(intent).toMatchObject({ kind: 'clarify', tool });
    if (intent.kind !== 'clarify') throw new Error(`expected a question, got ${intent.kind}`);
    expect(intent.question).toMatch(question);
    expect(coordinatorTools.clarify.safeParse({ question: intent.question }).success).toBe(true);
  });
});

describe('OfflineChatModel as an agent', () => {
  it('reports its type and refuses a time zone it does not know', () => {
    expect(model()._llmType()).toBe('keel-offline');
    expect(() => new OfflineChatModel({ timeZone: 'Mars/Olympus' })).toThrow(/Unknown time zone "Mars\/Olympus"/);
  });

  it('emits the tool call ChatOpenAI would for LangChain tools, OpenAI definitions and {name, schema} objects alike', async () => {
    const request = [new SystemMessage('You are the finance agent.'), new HumanMessage('Invoice Acme 10 hours at 150 EUR for October consulting')];
    const expected = {
      name: 'create_invoice',
      args: { client: 'Acme', hours: 10, rate: 150, currency: 'EUR', description: 'October consulting' },
      type: 'tool_call',
    };
    const finance = scopes.finance.tools;
    const plain = finance.map((name) => ({ name, description: agentTools[name].description ?? name, schema: agentTools[name] }));
    for (const tools of [langchainTools(finance), openAITools(finance), plain]) {
      const answer = await model().bindTools(tools).invoke(request);
      expect(answer).toBeInstanceOf(AIMessage);
      expect(answer.content).toBe('');
      expect(onlyCall(answer)).toMatchObject(expected);
    }
  });

  it('gives every phrasing the tool call of the agent that owns the tool', async () => {
    const texts: [AgentName, string, AgentToolName][] = [
      ['sales', 'Add Acme Corp as a client, contact dana@acme.test', 'add_client'],
      ['sales', 'draft a follow-up to Dana', 'draft_followup'],
      ['finance', 'mark invoice 2026-0003 as paid', 'record_payment'],
      ['finance', 'recall the Acme workshop', 'recall'],
      ['operations', 'book a call with Dana on 2026-12-03 14:30', 'schedule_meeting'],
      ['operations', 'status', 'status'],
      ['marketing', 'draft a LinkedIn post about pricing workshops', 'draft_post'],
    ];
    for (const [agent, text, toolName] of texts) {
      const answer = await model()
        .bindTools(langchainTools(scopes[agent].tools))
        .invoke([new HumanMessage(text)]);
      expect(onlyCall(answer).name).toBe(toolName);
    }
  });

  it('asks its question in text when the tool is its own but a value is missing', async () => {
    const answer = await model()
      .bindTools(langchainTools(scopes.finance.tools))
      .invoke([new HumanMessage('invoice Acme')]);
    expect(answer.tool_calls).toEqual([]);
    expect(answer.text).toMatch(/How many hours should I bill Acme for\?/);
  });

  it("says it does not understand, and lists only its own tools, when the request is another agent's", async () => {
    const answer = await model()
      .bindTools(langchainTools(scopes.marketing.tools))
      .invoke([new HumanMessage('invoice Acme 10h at 150 EUR')]);
    expect(answer.tool_calls).toEqual([]);
    expect(answer.text).toMatch(/^Sorry, I don't understand "invoice Acme 10h at 150 EUR"\. I can help with:/);
    expect(answer.text).toContain('Draft a LinkedIn post about pricing workshops');
    expect(answer.text).not.toContain('Invoice Acme');
  });

  it('relays trailing tool results as its answer', async () => {
    const messages: BaseMessage[] = [
      new HumanMessage('status'),
      new AIMessage({
        content: '',
        tool_calls: [
          { id: 'call_1', name: 'status', args: {} },
          { id: 'call_2', name: 'list_invoices', args: {} },
        ],
      }),
      new ToolMessage({ content: 'Nothing waits for approval.', tool_call_id: 'call_1' }),
      new ToolMessage({ content: 'Invoice 2026-0003 is 5 days overdue.', tool_call_id: 'call_2' }),
    ];
    const answer = await model().bindTools(langchainTools(allAgentTools)).invoke(messages);
    expect(answer.tool_calls).toEqual([]);
    expect(answer.text).toBe('Nothing waits for approval.\nInvoice 2026-0003 is 5 days overdue.');
  });

  it('answers plain text with what it can do when no tools are bound', async () => {
    const answer = await model().invoke('hi');
    expect(answer.text).toMatch(/^Hi! I can help with:/);
    expect(answer.text.split('\n').filter((line) => line.startsWith('- '))).toHaveLength(allAgentTools.length);
  });

  it('resolves relative dates with the clock and zone it was given', async () => {
    const tokyo = new OfflineChatModel({ clock: new ManualClock('2026-03-10T20:00:00Z'), timeZone: 'Asia/Tokyo' });
    const answer = await tokyo.bindTools(langchainTools(['schedule_meeting'])).invoke('schedule a meeting with Acme tomorrow at 9am');
    // 20:00 UTC is already Wednesday 11 March in Tokyo, so tomorrow is the 12th.
    expect(onlyCall(answer).args).toMatchObject({ startsAt: '2026-03-12T09:00:00+09:00' });
  });

  it('streams the same tool call as one chunk', async () => {
    const bound = model().bindTools(langchainTools(scopes.operations.tools));
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await bound.stream('schedule a meeting with Acme tomorrow at 10:00 for 45 minutes')) chunks.push(chunk);
    expect(chunks).toHaveLength(1);
    const [chunk] = chunks;
    expect(chunk).toBeInstanceOf(AIMessageChunk);
    const invoked = await bound.invoke('schedule a meeting with Acme tomorrow at 10:00 for 45 minutes');
    expect(chunk?.tool_calls).toEqual(invoked.tool_calls);
  });
});

describe('OfflineChatModel as the coordinator', () => {
  const coordinator = () => model().bindTools(coordinatorToolList);

  it.each([
    ['Add Acme Corp as a client, contact dana@acme.test', 'sales'],
    ['new prospect Beta wants the same kind of workshop as Acme, draft a proposal', 'sales'],
    ['what do we know about Acme?', 'sales'],
    ['who is Dana?', 'sales'],
    ['Invoice Acme 10 hours at 150 EUR for October consulting', 'finance'],
    ["what's overdue?", 'finance'],
    ['Acme paid invoice 2026-0003', 'finance'],
    ['schedule a meeting with Acme tomorrow at 10:00 for 45 minutes', 'operations'],
    ["what's pending?", 'operations'],
    ['draft a LinkedIn post about pricing workshops', 'marketing'],
  ])('routes "%s" to %s', async (text, agent) => {
    const call = onlyCall(await coordinator().invoke([new HumanMessage(`  ${text}  `)]));
    expect(call).toMatchObject({ name: 'route', args: { agent, request: text } });
  });

  it('asks for an essential value instead of routing', async () => {
    const call = onlyCall(await coordinator().invoke('invoice Acme'));
    expect(call.name).toBe('clarify');
    expect(call.args.question).toMatch(/How many hours should I bill Acme for\?/);
  });

  it('explains its capabilities for greetings, help and anything not understood', async () => {
    expect(onlyCall(await coordinator().invoke('hi'))).toMatchObject({ name: 'explain_capabilities', args: {} });
    expect(onlyCall(await coordinator().invoke('help'))).toMatchObject({ name: 'explain_capabilities', args: {} });
    expect(onlyCall(await coordinator().invoke('sing me a song'))).toMatchObject({ name: 'explain_capabilities', args: { unknown: 'sing me a song' } });
  });
});

describe('determinism', () => {
  it('gives the same call id for the same conversation, and a different one otherwise', async () => {
    const bound = () => model().bindTools(langchainTools(allAgentTools));
    const ask = async (...texts: string[]) => onlyCall(await bound().invoke(texts.map((text) => new HumanMessage(text)))).id;
    const first = await ask('draft a follow-up to Dana');
    expect(first).toMatch(/^call_[0-9a-f]{24}$/);
    expect(await ask('draft a follow-up to Dana')).toBe(first);
    expect(await ask('draft a follow-up to Lee')).not.toBe(first);
    // The same request later in the conversation is a new call.
    expect(await ask('status', 'draft a follow-up to Dana')).not.toBe(first);
  });

  it('parses the same text to the same intent', () => {
    const text = 'book a call with Dana on 2026-12-03 14:30';
    expect(parse(text)).toEqual(parse(text));
  });
});

/** mulberry32: a seeded generator, so a failing fuzz case can be replayed. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('fuzz: any text yields a valid answer and nothing throws', () => {
  const next = random(20260105);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const fragments = [
    'invoice',
    'bill',
    'Acme',
    'Acme Corp',
    'for',
    'at',
    '@',
    '€',
    '$',
    '£',
    '150',
    '12,5',
    '1.500,50',
    'EUR',
    'h',
    'hours',
    'paid',
    'invoice 2026-0003',
    'with',
    'Dana',
    'tomorrow',
    'Friday',
    'next',
    'at 10:00',
    '14:30',
    'pm',
    '2026-13-45',
    '31 February',
    'proposal',
    'follow up',
    'remember that',
    'what do we know about',
    'schedule a call',
    'post about',
    'new client',
    'contact',
    'dana@acme.test',
    'x@y',
    ':',
    ',',
    '-',
    "'s",
    '?',
    '!',
    '(',
    ')',
    '<',
    '>',
    '\\',
    '.*',
    '[',
    'status',
    'hi',
    'help',
    'ü',
    'Straße',
    '日本語',
    '🙂',
    '\u202e',
    '\u0000',
    '\ud800',
    '\n',
    '\t',
    '  ',
  ];
  // Any code point, lone surrogates and control characters included.
  const randomCodePoints = (length: number) => Array.from({ length }, () => String.fromCodePoint(Math.floor(next() * 0x110000))).join('');
  const inputs = [
    ...Array.from({ length: 250 }, () => Array.from({ length: 1 + Math.floor(next() * 12) }, () => pick(fragments)).join(pick([' ', '', ', ']))),
    ...Array.from({ length: 100 }, () => randomCodePoints(Math.floor(next() * 60))),
    'invoice Acme '.repeat(150),
    `remember that ${'Dana '.repeat(390)}`,
    'a'.repeat(2_000),
    '1'.repeat(1_999),
    `schedule a call with ${'with '.repeat(395)}`,
    `new client ${'x'.repeat(1_980)}`,
    'proposal for '.repeat(150),
    '@'.repeat(100_000),
    'invoice Acme 10h at 150 EUR '.repeat(5_000),
    '',
    ' ',
    '\u0000',
  ];

  it(`parses ${inputs.length} random and hostile inputs into schema-valid intents, quickly`, () => {
    const started = performance.now();
    for (const input of inputs) {
      const intent = parse(input);
      if (intent.kind === 'tool') expect(agentTools[intent.tool].safeParse(intent.args).success, input).toBe(true);
      if (intent.kind === 'clarify') expect(intent.question.length).toBeGreaterThan(0);
      if (intent.kind === 'help' && intent.unknown !== undefined) expect(intent.unknown.length).toBeLessThanOrEqual(201);
    }
    // Guards against regular expressions that backtrack badly on long input.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('answers every one of them as the coordinator and as an agent with schema-valid tool calls or text', async () => {
    const coordinator = model().bindTools(coordinatorToolList);
    const agent = model().bindTools(langchainTools(allAgentTools));
    for (const input of inputs) {
      onlyCall(await coordinator.invoke([new HumanMessage(input)]));
      const answer = await agent.invoke([new HumanMessage(input)]);
      if (answer.tool_calls?.length) onlyCall(answer);
      else expect(answer.text.length).toBeGreaterThan(0);
    }
  });
});
