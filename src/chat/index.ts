/** The chat contract: what transports hand the conversation (Inbound) and what anyone may send the operator (Outbound, cards). */
export {
  inbound,
  outbound,
  approvalCard,
  approvalBatch,
  cardAction,
  transportName,
  MAX_TEXT,
  type Inbound,
  type Outbound,
  type ApprovalCard,
  type ApprovalBatch,
  type CardAction,
  type TransportName,
} from './messages.js';
export { voiceClip, heardLine, type VoiceClip, type Heard, type Transcriber } from './voice.js';
