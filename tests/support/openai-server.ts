import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny OpenAI-compatible endpoint on 127.0.0.1 for tests: the real
 * ChatOpenAI / OpenAIEmbeddings clients talk HTTP to it, so the wire format
 * (tool definitions, auth header, tool-call JSON, SSE streaming) is exercised
 * without any network access.
 */

export interface ScriptedToolCall {
  /** Defaults to call_<n>, numbered per server. */
  id?: string;
  name: string;
  args: Record<string, unknown>;
  /** Sent instead of the JSON of `args`: how a model's broken arguments ("{\"hours\": 4") reach the client. */
  rawArguments?: string;
}

/** What the "model" answers: text, tool calls, or both. */
export interface ScriptedReply {
  content?: string;
  tool_calls?: ScriptedToolCall[];
  /** Answers with this instead of a completion: a 429 with Retry-After, a 500, a body that is not JSON. */
  http?: { status: number; headers?: Record<string, string>; body: string };
  /** Waits this long before answering (a hung endpoint); the connection closes with the server. */
  delayMs?: number;
}

/** The subset of a chat completion request the tests look at. */
export interface ChatCompletionRequest {
  model: string;
  messages: { role: string; content?: unknown; tool_calls?: unknown[]; tool_call_id?: string }[];
  tools?: { type: string; function: { name: string; description?: string; parameters?: Record<string, unknown> } }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  [key: string]: unknown;
}

export type ChatHandler = (request: ChatCompletionRequest) => ScriptedReply | Promise<ScriptedReply>;

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface OpenAIServer {
  /** Base URL ending in /v1, for `configuration: { baseURL }`. */
  url: string;
  /** Every request received, in order, with its parsed JSON body. */
  requests: RecordedRequest[];
  /** Queues replies for the default handler; ignored when a handler function was given. */
  script(...replies: ScriptedReply[]): void;
  close(): Promise<void>;
}

export const embeddingDimensions = 8;

/**
 * Starts the server. `handler` is either a function from request to reply or a
 * queue of replies consumed one per chat completion; an exhausted queue
 * answers HTTP 500 so a test that asks more than it scripted fails loudly.
 */
export async function startOpenAIServer(handler: ChatHandler | ScriptedReply[] = []): Promise<OpenAIServer> {
  const queue = Array.isArray(handler) ? [...handler] : [];
  const respond: ChatHandler =
    typeof handler === 'function'
      ? handler
      : () => {
          const next = queue.shift();
          if (next === undefined) throw new Error('No scripted reply left for this chat completion.');
          return next;
        };
  const requests: RecordedRequest[] = [];
  let completions = 0;
  let callIds = 0;

  const server = createServer((req, res) => {
    const handle = async () => {
      const raw = await readBody(req);
      let body: unknown;
      try {
        body = raw === '' ? undefined : JSON.parse(raw);
      } catch (error) {
        return sendJson(res, 400, { error: { message: `Request body is not JSON: ${String(error)}`, type: 'invalid_request_error' } });
      }
      const path = (req.url ?? '').split('?')[0] ?? '';
      requests.push({ method: req.method ?? '', path, headers: req.headers, body });

      if (req.method === 'POST' && path === '/v1/chat/completions') {
        const request = body as ChatCompletionRequest;
        let reply: ScriptedReply;
        try {
          reply = await respond(request);
        } catch (error) {
          // Surfaces in the test as the client's APIError, with the handler's message.
          return sendJson(res, 500, { error: { message: error instanceof Error ? error.message : String(error), type: 'server_error' } });
        }
        if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs).unref());
        if (reply.http) {
          res.writeHead(reply.http.status, { 'content-type': 'application/json', ...reply.http.headers });
          return res.end(reply.http.body);
        }
        completions += 1;
        const id = `chatcmpl-${completions}`;
        const calls = (reply.tool_calls ?? []).map((call) => ({
          id: call.id ?? `call_${++callIds}`,
          type: 'function' as const,
          function: { name: call.name, arguments: call.rawArguments ?? JSON.stringify(call.args) },
        }));
        if (request.stream) return streamCompletion(res, id, request, reply.content, calls);
        return sendJson(res, 200, {
          id,
          object: 'chat.completion',
          created: 1_767_600_000,
          model: request.model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: reply.content ?? null, ...(calls.length > 0 ? { tool_calls: calls } : {}), refusal: null },
              logprobs: null,
              finish_reason: calls.length > 0 ? 'tool_calls' : 'stop',
            },
          ],
          usage: usage(request, reply.content, calls),
        });
      }

      if (req.method === 'POST' && path === '/v1/embeddings') {
        const { input, model, encoding_format: format } = body as { input: string | string[] | number[] | number[][]; model: string; encoding_format?: string };
        const inputs = typeof input === 'string' || typeof input[0] === 'number' ? [input] : (input as (string | number[])[]);
        return sendJson(res, 200, {
          object: 'list',
          model,
          data: inputs.map((text, index) => {
            const vector = embed(typeof text === 'string' ? text : text.join(','));
            // The openai SDK asks for base64 unless told otherwise, and decodes it itself.
            const embedding = format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
            return { object: 'embedding', index, embedding };
          }),
          usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
        });
      }

      return sendJson(res, 404, { error: { message: `No route for ${req.method} ${path}`, type: 'invalid_request_error' } });
    };
    // A broken request stream ends the response with the error, so the client sees a failure rather than a hang.
    handle().catch((error: unknown) => res.destroy(error instanceof Error ? error : new Error(String(error))));
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...replies) => queue.push(...replies),
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Keep-alive sockets from the client would otherwise hold close() open.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** A deterministic unit vector per text: equal texts embed equally, different texts almost surely differ. */
export function embed(text: string): number[] {
  const digest = createHash('sha256').update(text).digest();
  const raw = Array.from({ length: embeddingDimensions }, (_, i) => digest.readInt16LE(i * 2) / 32768);
  const norm = Math.hypot(...raw) || 1;
  return raw.map((value) => value / norm);
}

type WireToolCall = { id: string; type: 'function'; function: { name: string; arguments: string } };

function streamCompletion(res: ServerResponse, id: string, request: ChatCompletionRequest, content: string | undefined, calls: WireToolCall[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const base = { id, object: 'chat.completion.chunk', created: 1_767_600_000, model: request.model };
  const send = (payload: unknown) => res.write(`data: ${JSON.stringify(payload)}\n\n`);
  const delta = (fields: Record<string, unknown>, finish: string | null = null) =>
    send({ ...base, choices: [{ index: 0, delta: fields, logprobs: null, finish_reason: finish }] });

  delta({ role: 'assistant', content: '' });
  // Text in two pieces and arguments split mid-JSON, as real endpoints do, so the client's merging is exercised.
  if (content) for (const piece of halves(content)) delta({ content: piece });
  calls.forEach((call, index) => {
    const [head, tail] = halves(call.function.arguments);
    delta({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: head } }] });
    delta({ tool_calls: [{ index, function: { arguments: tail } }] });
  });
  delta({}, calls.length > 0 ? 'tool_calls' : 'stop');
  if (request.stream_options?.include_usage) send({ ...base, choices: [], usage: usage(request, content, calls) });
  res.end('data: [DONE]\n\n');
}

function halves(text: string): [string, string] {
  const middle = Math.ceil(text.length / 2);
  return [text.slice(0, middle), text.slice(middle)];
}

/** Rough token counts (4 characters a token); only their presence matters to the client. */
function usage(request: ChatCompletionRequest, content: string | undefined, calls: WireToolCall[]) {
  const prompt_tokens = Math.ceil(JSON.stringify(request.messages).length / 4);
  const completion_tokens = Math.ceil(((content ?? '') + calls.map((call) => call.function.arguments).join('')).length / 4);
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(payload));
}
