import { z } from 'zod';
import { addDays, parseDate, parseTime, today, zonedIso } from './dates.js';
import { clarify, toolIntent, type Grammar, type ToolInput } from './intent.js';
import { parseHours, parseRate } from './money.js';
import { leadingName, nameAfter, trimPhrase } from './text.js';

/**
 * Grammars for approvals: edits of an open card ("make it 12 hours", "send it
 * to billing@acme.test instead") and standing rules ("always approve invoices
 * under 500 EUR to existing clients").
 */

const TRY_AGAIN = 'Nothing was changed; tap Edit to try again.';
/** The graph hands the card's agent "edit <action id>: <the operator's words>" after Edit was tapped. */
const editLead = /^edit\s+(act_[\w-]+)\s*:\s*(.+)$/i;
const editWords = /^(?:make it|change (?:it|the)|set (?:the|it)|send it to|move it)\b/i;
const emailLike = /[^\s,;<>"']*@[^\s,;<>"']*/;

/** "edit act_1: make it 12 hours", "…: send it to billing@acme.test instead", "…: rate 180 EUR", "…: move it to tomorrow at 11". */
export const reviseAction: Grammar = ({ text, now, timeZone, defaultCurrency }) => {
  const match = editLead.exec(text);
  if (!match) return editWords.test(text) ? clarify('revise_action', 'Which card should change? Tap Edit on it, then say the change.') : undefined;
  const action = match[1]!;
  const change = trimPhrase(match[2]!);
  const args: ToolInput<'revise_action'> = { action, instruction: change };
  const negative = /(?:^|[\s(])[-−]\s*\d/.exec(change);
  if (negative) return clarify('revise_action', `Hours, rates and lengths must be more than zero, so "${change}" cannot be applied. ${TRY_AGAIN}`);

  const address = emailLike.exec(change)?.[0]?.replace(/[.)]+$/, '');
  if (address !== undefined) {
    if (!z.email().safeParse(address).success) return clarify('revise_action', `"${address}" is not an email address I can send to. ${TRY_AGAIN}`);
    args.to = address;
  }
  const subject = /\bsubject\s*(?:to|:|=)?\s*["“]?(.+?)["”]?$/i.exec(change)?.[1];
  if (subject !== undefined) args.subject = trimPhrase(subject);
  const description = /\b(?:description|describe it as|call it)\s*(?:to|:|=|as)?\s*["“]?(.+?)["”]?$/i.exec(change)?.[1];
  if (description !== undefined) args.description = trimPhrase(description);

  const minutes = /\b(\d+)\s*(?:minutes?|mins?)\b/i.exec(change);
  if (minutes) args.durationMinutes = Number(minutes[1]);
  const hours = parseHours(change);
  if (hours !== undefined && !minutes) args.hours = hours;
  if (/\brate\b|[€$£]|\b[A-Z]{3}\b|\bper hour\b|\/h\b/.test(change) && address === undefined) {
    const rate = parseRate(/\brate\b/i.test(change) ? change.replace(/\brate\b(?:\s+(?:to|of))?/i, 'at') : change, defaultCurrency);
    if (rate !== undefined) args.rate = rate.amount;
  }
  const time = /\b(?:move|reschedule|start)\b/i.test(change) ? parseTime(change) : undefined;
  if (time !== undefined) {
    const base = today(now, timeZone);
    args.startsAt = zonedIso(parseDate(change, base) ?? addDays(base, 0), time, timeZone);
  }
  if (Object.keys(args).length === 2) {
    return clarify(
      'revise_action',
      `I could not read a change in "${change}". Say e.g. "make it 12 hours" or "send it to billing@acme.test instead". ${TRY_AGAIN}`,
    );
  }
  return toolIntent('revise_action', args, `That change does not look right: "${change}". ${TRY_AGAIN}`);
};

const ruleLead = /^(?:always|auto[- ]?)\s*approve\s+(?:all\s+|any\s+)?(invoices?|emails?|e-mails?|mails?|meetings?|calls?|bookings?)\b(.*)$/i;
const kindOf = (word: string) => (/^inv/i.test(word) ? 'invoices' : /mail/i.test(word) ? 'emails' : 'meetings') as ToolInput<'propose_rule'>['kind'];
const existing = /\b(?:to|for|with)?\s*(?:existing|current|known|returning)\s+(?:clients?|customers?)\b/i;
const perDayPattern = /\b(?:at most|up to|max(?:imum)?|no more than)\s+(\d+)\s+(?:a|per|each)\s+day\b/i;
const forDaysPattern = /\bfor\s+(?:the\s+next\s+)?(\d+)\s+(days?|weeks?|months?)\b/i;
const ceilingPattern =
  /\b(?:under|below|up to|at most|less than|max(?:imum)?|not over|no more than|of up to)\s+([€$£]?\s?\d[\d.,]*k?\s*(?:[A-Z]{3}\b|euros?\b|dollars?\b|pounds?\b|[€$£])?)/i;
const domainPattern = /\b(?:to|at)\s+(?:anyone\s+at\s+|addresses\s+at\s+)?@?([a-z0-9-]+(?:\.[a-z0-9-]+)+)\b/i;

/** "always approve invoices under 500 EUR to existing clients", "auto-approve emails to acme.test", "always approve meetings with Acme, at most 3 a day, for 30 days". */
export const proposeRule: Grammar = ({ text, defaultCurrency }) => {
  const match = ruleLead.exec(text);
  if (!match) return undefined;
  const kind = kindOf(match[1]!);
  let rest = match[2] ?? '';
  const args: ToolInput<'propose_rule'> = { kind, description: text.charAt(0).toUpperCase() + text.slice(1) };

  const perDay = perDayPattern.exec(rest);
  if (perDay) {
    args.perDay = Number(perDay[1]);
    rest = rest.replace(perDay[0], ' ');
  }
  const forDays = forDaysPattern.exec(rest);
  if (forDays) {
    const unit = forDays[2]!.toLowerCase();
    args.forDays = Number(forDays[1]) * (unit.startsWith('week') ? 7 : unit.startsWith('month') ? 30 : 1);
    rest = rest.replace(forDays[0], ' ');
  }
  const ceiling = ceilingPattern.exec(rest);
  if (ceiling) {
    const rate = parseRate(`at ${ceiling[1]}`, defaultCurrency);
    if (rate === undefined) return clarify('propose_rule', `What is the most a rule may approve? e.g. "always approve invoices under 500 EUR".`);
    args.maxAmount = rate.amount;
    if (rate.currency !== undefined) args.currency = rate.currency;
    rest = rest.replace(ceiling[0], ' ');
  }
  if (existing.test(rest)) {
    args.existingClientsOnly = true;
    rest = rest.replace(existing, ' ');
  }
  const domain = kind === 'emails' ? domainPattern.exec(rest)?.[1] : undefined;
  if (domain !== undefined) args.recipientDomain = domain.toLowerCase();
  else {
    const client = nameAfter(rest, 'to|for|with') ?? leadingName(rest.replace(/^[\s,]+/, ''));
    if (client !== undefined && !/^(?:a|per|day|days)$/i.test(client)) args.client = client;
  }
  if (kind === 'invoices' && args.maxAmount === undefined) {
    return clarify(
      'propose_rule',
      'Up to what amount should invoices be approved without asking? e.g. "always approve invoices under 500 EUR to existing clients".',
    );
  }
  if (args.client === undefined && args.recipientDomain === undefined && !args.existingClientsOnly && args.maxAmount === undefined) {
    return clarify('propose_rule', `A rule needs a limit: a client, existing clients only, or an amount ceiling, e.g. "always approve ${kind} with Acme".`);
  }
  return toolIntent('propose_rule', args, 'That rule does not look right; say e.g. "always approve invoices under 500 EUR to existing clients".');
};
