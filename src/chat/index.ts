/** The chat contract: what transports hand the conversation (Inbound) and what anyone may send the operator (Outbound, cards). */
export {
  inbound,
  outbound,
  approvalCard,
  approvalBatch,
  cardAction,
  transportName,
  forwardedFrom,
  MAX_TEXT,
  type Inbound,
  type Outbound,
  type ApprovalCard,
  type ApprovalBatch,
  type CardAction,
  type TransportName,
  type ForwardedFrom,
} from './messages.js';
export { voiceClip, heardLine, type VoiceClip, type Heard, type Transcriber } from './voice.js';
export { DOWNLOAD_TIMEOUT_MS, keepsFile, MAX_UPLOAD_BYTES, type Upload } from './uploads.js';
