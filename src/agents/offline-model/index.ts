/**
 * The offline model: Keel's embedded default when no model endpoint is
 * configured. See README.md in this folder for the phrasings it understands.
 */
export { OfflineChatModel, type OfflineChatModelCallOptions, type OfflineChatModelOptions } from './model.js';
export { parseIntent, type ParseOptions } from './parse.js';
export type { ClarifyIntent, HelpIntent, ParsedIntent, ToolIntent } from './intent.js';
export { describeCapabilities } from './capabilities.js';
export { linkCommandIn } from './links.js';
