import { isBaseMessage, type BaseMessage } from '@langchain/core/messages';
import { JsonPlusSerializer, type SerializerProtocol } from '@langchain/langgraph-checkpoint';

/** Each message's serialized form, by the message object. */
const serialized = new WeakMap<BaseMessage, Uint8Array>();
const OPEN = new Uint8Array([0x5b]);
const COMMA = new Uint8Array([0x2c]);
const CLOSE = new Uint8Array([0x5d]);

/**
 * A list of LangChain messages serialized as LangGraph's JSON serializer would
 * write it, message by message: a conversation's messages channel is written
 * whole at every checkpoint while only its newest few messages are new, and
 * serializing a message (its `toJSON`, then the cycle-safe stringify) is most of
 * a put's time. Only messages with an id are remembered, since LangGraph changes
 * a message only to give it its id; anything else (another serializer, a list
 * that is not all messages, a message the serializer writes as other than JSON)
 * returns undefined and is serialized whole.
 */
export async function dumpMessages(serde: SerializerProtocol, value: unknown): Promise<Uint8Array | undefined> {
  const langGraphJson: boolean = serde.constructor === JsonPlusSerializer;
  if (!langGraphJson || !Array.isArray(value) || value.length === 0) return undefined;
  if (!value.every((message) => isBaseMessage(message) && typeof message.id === 'string')) return undefined;
  const parts: Uint8Array[] = [OPEN];
  for (const [index, message] of (value as BaseMessage[]).entries()) {
    let bytes = serialized.get(message);
    if (bytes === undefined) {
      const [type, dumped] = await serde.dumpsTyped(message);
      if (type !== 'json') return undefined;
      bytes = dumped;
      serialized.set(message, bytes);
    }
    if (index > 0) parts.push(COMMA);
    parts.push(bytes);
  }
  parts.push(CLOSE);
  const joined = new Uint8Array(parts.reduce((length, part) => length + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return joined;
}
