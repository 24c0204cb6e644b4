import { isBaseMessage, type BaseMessage } from '@langchain/core/messages';
import { JsonPlusSerializer, type SerializerProtocol } from '@langchain/langgraph-checkpoint';

/** Each message's serialized form, by the message object. */
const serialized = new WeakMap<BaseMessage, string>();
const decoder = new TextDecoder();

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
export async function dumpMessages(serde: SerializerProtocol, value: unknown): Promise<string | undefined> {
  const langGraphJson: boolean = serde.constructor === JsonPlusSerializer;
  if (!langGraphJson || !Array.isArray(value) || value.length === 0) return undefined;
  if (!value.every((message) => isBaseMessage(message) && typeof message.id === 'string')) return undefined;
  const parts: string[] = [];
  for (const message of value as BaseMessage[]) {
    let text = serialized.get(message);
    if (text === undefined) {
      const [type, dumped] = await serde.dumpsTyped(message);
      if (type !== 'json') return undefined;
      text = decoder.decode(dumped);
      serialized.set(message, text);
    }
    parts.push(text);
  }
  return `[${parts.join(',')}]`;
}
