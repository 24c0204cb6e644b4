import { clarify, toolIntent, type Grammar, type ToolInput } from './intent.js';
import { parseHours, parsePrice, parseRate, priceQuestion } from './money.js';
import { capitalize, findEmail, leadingName, leadingProperName, nameAfter, nameFromEmail, trimPhrase, withoutArticle } from './text.js';

/** Grammars of the sales agent's tools: clients, notes, recall, proposals and follow-ups. */

const asClient = /^(?:add|create|register|onboard|save|set up)\s+(.+?)\s+as\s+(?:an?\s+|our\s+)?(new\s+)?(?:client|customer)\b(.*)$/i;
const clientFirst =
  /^(?:(?:add|create|register|onboard|save)\s+(?:an?\s+)?(?:new\s+)?|new\s+)(?:client|customer|lead|prospect)\b[\s:,-]*(?:(?:called|named)\s+)?(.*)$/i;
const isNewClient = /^(.+?)\s+is\s+(?:an?\s+|our\s+)?(new\s+)(?:client|customer)\b(.*)$/i;

/**
 * "Add Acme Corp as a client, contact dana@acme.test", "new client Beta GmbH,
 * contact Lee Park lee@beta.test", "Gamma Ltd is a new client". Without a
 * contact name, one is read from the email's local part (dana@ → Dana). "as a new client" and "is a new
 * client" say it is not a client already known under a similar name.
 */
export const addClient: Grammar = ({ text }) => {
  let name: string | undefined;
  let details: string;
  // "as a new client", "is a new client": the operator says it is not one already known under a similar name.
  let isNew = false;
  const named = asClient.exec(text) ?? isNewClient.exec(text);
  if (named) {
    name = trimPhrase(named[1] ?? '');
    isNew = named[2] !== undefined;
    details = named[3] ?? '';
  } else {
    const rest = clientFirst.exec(text)?.[1];
    if (rest === undefined) return undefined;
    name = leadingName(rest);
    // Only what follows the company name can name the contact.
    details = name === undefined ? rest : rest.slice(rest.indexOf(name) + name.length);
  }
  if (name === undefined || name === '') return clarify('add_client', "What is the new client's name?");
  const email = findEmail(details);
  // An address we cannot read is asked about rather than dropped: "dana@acme" has no domain ending.
  if (email === undefined && details.includes('@')) {
    return clarify('add_client', `That email address doesn't look right; what is ${name}'s contact email?`);
  }
  const contactPhrase = /\bcontact(?:\s+(?:is|person|name))?[\s:]+(.+)$/i.exec(details)?.[1];
  const contactName = (contactPhrase === undefined ? undefined : leadingName(contactPhrase)) ?? (email === undefined ? undefined : nameBefore(details, email));
  const args: ToolInput<'add_client'> = { name };
  if (contactName !== undefined && !contactName.includes('@')) args.contactName = contactName;
  else if (email !== undefined) {
    const derived = nameFromEmail(email);
    if (derived !== undefined) args.contactName = derived;
  }
  if (email !== undefined) args.email = email;
  const notes = /\bnotes?[\s:]+(.+)$/i.exec(details)?.[1];
  if (notes !== undefined) args.notes = trimPhrase(notes);
  if (isNew) args.isNew = true;
  return toolIntent('add_client', args, `That email address doesn't look right; what is ${name}'s contact email?`);
};

/** "…, Lee Park <lee@beta.test>": a capitalised name written right before the address. */
function nameBefore(details: string, email: string): string | undefined {
  const segment = details.slice(0, details.indexOf(email)).split(/[,(]/).pop() ?? '';
  return leadingProperName(segment.replace(/[\s<]+$/, '').trim());
}

const findLead =
  /^(?:(?:find|look ?up|lookup|search(?: for)?|pull up|open|show(?: me)?|get)\s+(?:the\s+)?(?:client|customer|contact)(?:\s+(?:record|details|card))?(?:\s+(?:for|of))?|(?:find|look ?up|lookup|search for)|who is|who's|(?:contact (?:details|info)|email(?: address)?|phone(?: number)?) (?:for|of))\s+(.+)$/i;
const askContact = /^what(?:'s| is)\s+(.+?)['’]s\s+(?:email|contact|phone|address)/i;
/** "toms email?", "dana's number": typed without the question, and often without the apostrophe. */
const bareContact = /^(\S+?)(?:['’]s|s)\s+(?:email|e-mail|contact|phone|number|address)(?:\s+address)?$/i;

/** "find client Acme", "look up Dana", "who is Dana?", "what's Dana's email?". */
export const findClient: Grammar = ({ text }) => {
  const query = findLead.exec(text)?.[1] ?? askContact.exec(text)?.[1] ?? bareContact.exec(text)?.[1];
  if (query === undefined) return undefined;
  return toolIntent('find_client', { query: withoutArticle(trimPhrase(query)) }, 'Which client should I look up?');
};

/** "send me Beta's contract", "get me the Acme NDA", "send me the contract for Beta": a filed document, as a file. */
const fileOf = /^(?:send|give|get|share|forward)\s+(?:me|us)\s+(?:the\s+)?(.+?)['’]s?\s+(.+)$/i;
const fileFor = /^(?:send|give|get|share|forward)\s+(?:me|us)\s+(?:the|our|my)\s+(.+?)\s+(?:for|from|of|with)\s+(.+)$/i;

export const sendFile: Grammar = ({ text }) => {
  const of = fileOf.exec(text);
  const match = of ? { client: of[1]!, what: of[2]! } : ((m) => m && { client: m[2]!, what: m[1]! })(fileFor.exec(text));
  if (!match) return undefined;
  return toolIntent('send_file', { client: withoutArticle(trimPhrase(match.client)), what: trimPhrase(match.what) }, 'Which document, for which client?');
};

const noteLead = /^(?:remember|note(?: down)?|make a note|keep in mind|jot down|fyi|for the record)(?:\s+that\b)?(?:\s+to\b)?[\s:,-]+(.+)$/i;
const noteAbout = /^(?:about|for|re)\s+([^:]+):\s*(.+)$/i;

/** "remember that Dana prefers calls on Fridays", "note for Acme: they pay late". */
export const rememberNote: Grammar = ({ text }) => {
  const body = noteLead.exec(text)?.[1];
  if (body === undefined) return undefined;
  const about = noteAbout.exec(body);
  const note = trimPhrase(about?.[2] ?? body);
  // A note that opens with a name is about that client: "Dana prefers calls…".
  const client = about?.[1] !== undefined ? trimPhrase(about[1]) : leadingProperName(note);
  const args: ToolInput<'remember_note'> = { text: capitalize(note) };
  if (client !== undefined && client !== '') args.client = client;
  return toolIntent('remember_note', args, 'What should I remember?');
};

const recallLead =
  /^(?:what do (?:we|you|i) (?:know|have|remember)(?: about| on| for)?|recall|remind me (?:about|of)|tell me about|what about|anything on|brief me on|background on|history (?:with|of|on)|summari[sz]e|what(?:'s| is) the (?:history|background|story) (?:with|of|on)|what did (?:we|i) (?:do|agree|discuss|say|send|propose|quote|charge|bill)(?: (?:for|with|about|to|on))?|(?:find|show(?: me)?|look ?up|lookup|search(?: for)?|pull up|dig up|where(?:'s| is))(?=\s+(?:(?:the|our|my|that|last|past|previous|old)\s+)*(?:proposal|quote|estimate)s?\b))\s+(.+)$/i;

/** "what do we know about Acme?", "recall the Acme workshop", "what did we agree with Dana". */
export const recall: Grammar = ({ text }) => {
  const query = recallLead.exec(text)?.[1];
  if (query === undefined) return undefined;
  return toolIntent('recall', { query: withoutArticle(trimPhrase(query)) }, 'What should I look up?');
};

const proposalTrigger = /\b(?:proposal|quote|estimate)\b/i;
const prospect = String.raw`(?:new\s+)?(?:prospect|lead|client|customer)`;
const wants = /\b(?:wants?|needs?|asked for|asks for|is looking for|looking for|interested in)\s+(.+?)(?=[,;]|\s+and\s|\s+so\s|$)/i;
const service =
  /(?:\b((?:\d+|half|full|one|two|three|four|five)[- ](?:day|hour|week|month))[- ])?\b(workshop|training|audit|retainer|project|coaching|consulting|review|strategy|assessment|migration|implementation|design|website|sprint|engagement|course|session|keynote|talk)s?\b/i;

/**
 * "draft a proposal for Beta: 2-day workshop, 16 hours at 150 EUR", "new
 * prospect Beta wants the same kind of workshop as Acme, draft a proposal".
 * The title is the service named (e.g. "2-day workshop"); the scope keeps the
 * operator's own words for the drafting step.
 */
export const draftProposal: Grammar = ({ text, defaultCurrency }) => {
  // "find the proposal for Beta's redesign" looks one up (recall); drafting another would be the wrong proposal.
  if (!proposalTrigger.test(text) || recallLead.test(text)) return undefined;
  const quoted = /^(?:quote|estimate)\s+(?!for\b|to\b|a\b|an\b|the\b)(.+)$/i.exec(text)?.[1];
  const client =
    nameAfter(text, `(?:proposal|quote|estimate)\\s+(?:for|to)|${prospect}`) ??
    (quoted === undefined ? undefined : leadingName(quoted)) ??
    nameAfter(text, 'for|to');
  if (client === undefined) return clarify('draft_proposal', 'Who is the proposal for?');
  const price = parsePrice(text, defaultCurrency);
  if (price === 'conflict') return clarify('draft_proposal', priceQuestion(client));
  const scope = proposalScope(text);
  // "…, 2 day workshop, €1,500 per day": without a scope phrase, the service named is the title.
  const args: ToolInput<'draft_proposal'> = { client, title: proposalTitle(scope ?? service.exec(text)?.[0], client) };
  if (scope !== undefined) args.scope = scope;
  if (price !== undefined) {
    // The title names the work ("2 day workshop"); the line carries the price and unit.
    args.lines = [{ ...price.line, description: args.title }];
    if (price.currency !== undefined) args.currency = price.currency;
    return toolIntent('draft_proposal', args, `The price for ${client} looks off; say it as "2 days at 1,200/day" or "fixed price 3,000 EUR".`);
  }
  const hours = parseHours(text);
  if (hours !== undefined) args.hours = hours;
  const rate = parseRate(text, defaultCurrency);
  if (rate !== undefined) args.rate = rate.amount;
  if (rate?.currency !== undefined) args.currency = rate.currency;
  return toolIntent('draft_proposal', args, `The hours or rate for ${client} look off; how many hours, at what rate?`);
};

/** What the client asked for: the text after a colon, after "wants", or after "proposal for <client> for". */
function proposalScope(text: string): string | undefined {
  const raw =
    /:\s*(.+)$/.exec(text)?.[1] ??
    wants.exec(text)?.[1] ??
    /\b(?:for|about|covering|on)\s+((?:an?|the)\s+[^,;]+?)(?=\s+for\s|[,;]|$)/i.exec(text.slice(text.search(proposalTrigger)))?.[1];
  const scope = raw === undefined ? '' : trimPhrase(raw);
  return scope === '' ? undefined : scope;
}

function proposalTitle(scope: string | undefined, client: string): string {
  if (scope === undefined) return `Proposal for ${client}`;
  const named = service.exec(scope);
  if (named) return capitalize([named[1], named[2]].filter(Boolean).join(' ').toLowerCase());
  const firstPart = withoutArticle(scope.split(/[,;]/)[0] ?? scope);
  return capitalize(firstPart.slice(0, 80));
}

const followupTrigger = /\bfollow[\s-]?up\b|\bcheck in with\b|^(?:ping|nudge|chase)\b/i;
const topicPatterns = [/\b(?:about|regarding|re:|re|concerning)\s+(.+)$/i, /\bon\s+(.+)$/i];

/** "email dana to say thanks for the meeting", "write to tom that the draft is ready": an email with what it says. */
const emailSaying =
  /^(?:email|e-mail|mail|message|(?:write|draft|compose)(?:\s+an?\s+(?:email|e-mail|note|message))?\s+to|drop\s+(?:a\s+)?(?:line|note)\s+to|send\s+(?:a|an)\s+(?:quick\s+|short\s+)?(?:email|e-mail|note|message)\s+to)\s+(.+?)\s+(?:to\s+say|saying|to\s+tell\s+(?:them|him|her)|that|about|regarding|re)\s+(.+)$/i;
/** "send dana a quick note about the invoice": the recipient before the email. */
const emailTo =
  /^(?:send|drop|shoot)\s+(.+?)\s+(?:an?\s+)?(?:quick\s+|short\s+)?(?:email|e-mail|note|message|line)\s+(?:about|regarding|re|to\s+say|saying)\s+(.+)$/i;

/** "draft a follow-up to Dana", "follow up with Dana about the workshop", "nudge Acme about the proposal". */
export const draftFollowup: Grammar = ({ text }) => {
  const saying = emailSaying.exec(text) ?? emailTo.exec(text);
  const to = saying === null ? undefined : leadingName(saying[1]!);
  if (to !== undefined) return toolIntent('draft_followup', { client: to, topic: trimPhrase(saying![2]!) }, 'Who should the email go to?');
  if (!followupTrigger.test(text)) return undefined;
  // "send tom a follow up", "email dana a follow-up about …": the recipient sits between the verb and the follow-up.
  const direct = /^(?:send|email|write|drop)\s+(.+?)\s+an?\s+(?:quick\s+|short\s+)?follow[\s-]?up\b/i.exec(text)?.[1];
  // "chase acme for payment": whom to chase comes right after the verb, and "for" says what about.
  const chased = nameAfter(text, '^(?:ping|nudge|chase)');
  const client =
    (direct === undefined ? undefined : leadingName(direct)) ?? chased ?? nameAfter(text, 'to|with|for') ?? nameAfter(text, 'follow[\\s-]?up(?:\\s+email)?');
  if (client === undefined) return clarify('draft_followup', 'Who should the follow-up go to?');
  const args: ToolInput<'draft_followup'> = { client };
  const topic = followupTopic(text, client);
  if (topic !== undefined) args.topic = topic;
  return toolIntent('draft_followup', args, `Who should the follow-up go to?`);
};

/** The topic, minus a trailing "with <client>": "follow up on the workshop with Dana" → "the workshop". */
function followupTopic(text: string, client: string): string | undefined {
  for (const pattern of topicPatterns) {
    const raw = pattern.exec(text)?.[1];
    if (raw === undefined) continue;
    const topic = trimPhrase(raw.replace(new RegExp(`\\s+(?:with|to|for)\\s+${escapeRegExp(client)}.*$`, 'i'), ''));
    if (topic !== '' && topic !== client) return topic;
  }
  return undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const projectLead = /^(?:(?:start|create|add|open|set up|begin|kick off)\s+(?:an?\s+|the\s+)?(?:new\s+)?project|new project)\b[\s:,-]*(.*)$/i;

/** "new project Website redesign for Acme", "start a project for Acme: Website redesign". */
export const addProject: Grammar = ({ text }) => {
  const rest = projectLead.exec(text)?.[1];
  if (rest === undefined) return undefined;
  const forFirst = /^(?:for|with)\s+([^:]+):\s*(.+)$/i.exec(rest);
  const forLast = /^(.+?)\s+(?:for|with)\s+(\S.*)$/i.exec(rest);
  const name = trimPhrase((forFirst?.[2] ?? forLast?.[1] ?? rest).replace(/^(?:called|named)\s+/i, '')).replace(/^["“'](.+)["”']$/, '$1');
  const client = forFirst ? leadingName(forFirst[1]!) : forLast ? leadingName(forLast[2]!) : undefined;
  if (name === '') return clarify('add_project', 'What is the project called?');
  const args: ToolInput<'add_project'> = { name };
  if (client !== undefined) args.client = client;
  return toolIntent('add_project', args, 'What is the project called?');
};

const yes = String.raw`accepted|approved|signed|agreed to|said yes(?: to)?|went ahead with|took`;
const no = String.raw`declined|rejected|turned down|said no(?: to)?|passed on|refused`;
const offered = String.raw`workshop|project|audit|training|retainer|deal|terms|price|pricing|engagement`;
const offerNoun = String.raw`(?:(?:the|our|my|their|that)\s+)?(?:(?:(?:${offered}|new|latest|last)\s+)?(?:proposal|quote|offer|estimate)|(?:${offered}))`;
/** Lowercase subjects that are people or groups in general, never a client's name. */
const notClients =
  /^(?:team|everyone|everybody|nobody|client|customer|boss|partner|they|he|she|invoice|invoices|meeting|call|task|email|card|rule|everything|all|this|that)$/i;
const clientDecides = new RegExp(String.raw`^(.+?)\s+(?:has\s+|have\s+|just\s+)?(${yes}|${no})(?:\s+${offerNoun})?$`, 'i');
const offerDecided = new RegExp(
  String.raw`^(?:the\s+)?(?:proposal|quote|offer|estimate)\s+(?:for|to)\s+(.+?)\s+(?:was|got|has been|is)\s+(accepted|approved|signed|declined|rejected|turned down)$`,
  'i',
);
const possessiveDecided = new RegExp(
  String.raw`^(.+?)['’]s\s+(?:proposal|quote|offer|estimate)\s+(?:was|got|has been|is)\s+(accepted|approved|signed|declined|rejected|turned down)$`,
  'i',
);
const markedOffer = /^mark\s+(?:the\s+)?(?:(?:proposal|quote)\s+(?:for|to)\s+(.+?)|(.+?)\s+(?:proposal|quote))\s+as\s+(accepted|declined|sent)$/i;
// A subject that starts with a pronoun ("we finally declined") names no client.
const subjectPronoun = /^(?:i|we|they|you|she|he|it|everyone|nobody|someone)\b/i;
const sentOffer = /^(?:i\s+)?sent\s+(?:the\s+|our\s+|my\s+)?(?:proposal|quote|offer)\s+to\s+(.+)$/i;

/**
 * "Acme accepted the proposal", "Beta declined", "the proposal for Acme was
 * accepted", "mark the Acme proposal as sent": the client's latest open
 * proposal gets that outcome, which later proposals cite.
 */
export const recordProposalOutcome: Grammar = ({ text }) => {
  const decided = offerDecided.exec(text) ?? possessiveDecided.exec(text) ?? clientDecides.exec(text);
  const marked = decided ? undefined : markedOffer.exec(text);
  const sent = decided || marked ? undefined : sentOffer.exec(text);
  const who = decided?.[1] ?? marked?.[1] ?? marked?.[2] ?? sent?.[1];
  const verb = (decided?.[2] ?? marked?.[3] ?? (sent ? 'sent' : '')).toLowerCase();
  if (who === undefined) return undefined;
  const phrase = trimPhrase(who.replace(/^the\s+/i, ''));
  const client = leadingName(phrase);
  // The whole subject must be a name: "we finally declined" or "the team agreed to" names no client; a bare
  // "<name> declined" is read in lowercase too ("beta accepted"), but only for a short name.
  const bare = decided !== undefined && !/\b(?:proposal|quote|offer|estimate)\b/i.test(text);
  const shortName = client !== undefined && client.split(' ').length <= 3;
  if (client === undefined || client !== phrase || subjectPronoun.test(client) || notClients.test(client) || (bare && !shortName)) return undefined;
  const outcome = verb === 'sent' ? 'sent' : new RegExp(`^(?:${no})$`, 'i').test(verb) ? 'declined' : 'accepted';
  return toolIntent('record_proposal_outcome', { client, outcome }, `Which client ${outcome === 'sent' ? 'was sent' : outcome} the proposal?`);
};

const sendOffer = /^(?:please\s+)?(?:send|email|mail)\s+(?:(?:the|our|my)\s+)?(?:proposal|quote|offer)\s+to\s+(.+)$/i;
const sendClientOffer = /^(?:please\s+)?(?:send|email|mail)\s+(.+?)\s+(?:the|our|my|their)\s+(?:[\w-]+\s+){0,3}?(?:proposal|quote|offer)$/i;
/** "send the acme proposal", "send the Beta workshop quote": the client named before the word. */
const sendNamedOffer = /^(?:please\s+)?(?:send|email|mail)\s+(?:the|our|my)\s+(.+?)(?:['’]s)?\s+(?:[\w-]+\s+){0,3}?(?:proposal|quote|offer)$/i;

/** "Send the proposal to Beta", "email Beta the proposal": the client's newest draft goes out with its page link. */
export const sendProposal: Grammar = ({ text }) => {
  const match = sendOffer.exec(text) ?? sendClientOffer.exec(text) ?? sendNamedOffer.exec(text);
  const client = match && leadingName(trimPhrase(match[1]!.replace(/^the\s+/i, '')));
  if (!client || subjectPronoun.test(client) || notClients.test(client)) return undefined;
  return toolIntent('send_proposal', { client }, 'Which client should I send the proposal to?');
};

const handle = String.raw`[\w.+-]+@[\w-]+(?:\.[\w-]+)+|telegram:\d+|slack:[A-Za-z0-9]+`;
const aliasIsClient = new RegExp(String.raw`^(${handle}|.+?)\s+is\s+(?:also|the same as|another (?:name|address|email) (?:for|of))\s+(?:client\s+)?(.+)$`, 'i');
const clientGoesBy = /^(.+?)\s+(?:also goes by|is also called|is also known as|also known as|aka)\s+(.+)$/i;
const linkTo = new RegExp(String.raw`^(?:link|connect|add)\s+(${handle})\s+(?:to|with)\s+(?:client\s+)?(.+)$`, 'i');

/**
 * "dana.private@gmail.com is also Dana", "link telegram:4242 to Acme", "Acme
 * also goes by ACME Inc": one more name by which the client is found.
 */
export const linkIdentity: Grammar = ({ text }) => {
  const aliasFirst = linkTo.exec(text) ?? aliasIsClient.exec(text);
  const clientFirst = aliasFirst ? undefined : clientGoesBy.exec(text);
  const alias = trimPhrase(aliasFirst?.[1] ?? clientFirst?.[2] ?? '').replace(/^["“'](.+)["”']$/, '$1');
  const client = aliasFirst ? leadingName(withoutArticle(trimPhrase(aliasFirst[2]!))) : clientFirst ? leadingName(trimPhrase(clientFirst[1]!)) : undefined;
  if (alias === '' || client === undefined) return undefined;
  return toolIntent('link_identity', { client, alias }, `Which client is ${alias}?`);
};
