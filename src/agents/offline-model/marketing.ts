import { clarify, toolIntent, type Grammar, type ToolInput } from './intent.js';
import { trimPhrase } from './text.js';

/** Grammar of the marketing agent's tool: draft_post. */

const postTrigger =
  /\b(?:linkedin|newsletter|blog)\b|\b(?:draft|write|compose|prepare|create|make)\s+(?:an?\s+|the\s+|some\s+|another\s+)?(?:\w+\s+)?(?:post|article|tweet|thread)\b|^post about\b/i;
const channels: [RegExp, NonNullable<ToolInput<'draft_post'>['channel']>][] = [
  [/\bnewsletter\b/i, 'newsletter'],
  [/\b(?:blog|article)\b/i, 'blog'],
  [/\blinkedin\b/i, 'linkedin'],
];
const topicPatterns = [
  /\b(?:about|regarding|covering|re:|on the topic of)\s+(.+)$/i,
  /\b(?:post|article|newsletter|tweet|thread)\s*:\s*(.+)$/i,
  /\bon\s+(?!linkedin\b|the blog\b|our blog\b|my blog\b)(.+)$/i,
];

/** "draft a LinkedIn post about pricing workshops", "write a newsletter on client onboarding". */
export const draftPost: Grammar = ({ text }) => {
  if (!postTrigger.test(text)) return undefined;
  const channel = channels.find(([pattern]) => pattern.test(text))?.[1];
  const topic = topicPatterns.map((pattern) => trimPhrase(pattern.exec(text)?.[1] ?? '')).find((found) => found !== '');
  if (topic === undefined) return clarify('draft_post', 'What should the post be about?');
  const args: ToolInput<'draft_post'> = { topic };
  if (channel !== undefined) args.channel = channel;
  return toolIntent('draft_post', args, 'What should the post be about?');
};
