import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Heard, Transcriber, VoiceClip } from '../../chat/index.js';
import { MAX_TEXT } from '../../chat/index.js';
import type { Clock } from '../../core/clock.js';
import { retryableStatus, retryAfterMs } from '../../core/http-retry.js';
import type { Logger } from '../../core/logger.js';
import { first } from '../../core/rows.js';
import type { Db } from '../../storage/index.js';
import { voiceTranscripts } from './tables.js';

export { voiceTranscripts };

/** An OpenAI-compatible transcription endpoint: OpenAI itself, or a local whisper server speaking the same API. */
export interface TranscribeSettings {
  /** Base URL up to /v1, as for the chat model: `${baseUrl}/audio/transcriptions` is posted to. */
  baseUrl: string;
  apiKey?: string | undefined;
  model: string;
}

/** About 4–5 minutes of speech fill the 4,000 characters a message may have; longer notes are refused before they are fetched. */
export const MAX_VOICE_SECONDS = 300;
/** OpenAI's upload limit for transcriptions. */
export const MAX_VOICE_BYTES = 25 * 1024 * 1024;
const TIMEOUT_MS = 120_000;
const MAX_RETRIES = 2;
const MAX_RETRY_WAIT_MS = 30_000;

/** The formats OpenAI's endpoint (and whisper servers copying it) take, by content type; the extension tells the server the format. */
const extensions: Record<string, string> = {
  'audio/ogg': 'ogg',
  'audio/opus': 'ogg',
  'audio/oga': 'oga',
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/mp4': 'm4a',
  'audio/m4a': 'm4a',
  'audio/x-m4a': 'm4a',
  'audio/aac': 'm4a',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/webm': 'webm',
  'audio/flac': 'flac',
  'audio/x-flac': 'flac',
  'video/mp4': 'mp4',
  'video/webm': 'webm',
};
const knownExtensions = new Set(['flac', 'm4a', 'mp3', 'mp4', 'mpeg', 'mpga', 'oga', 'ogg', 'wav', 'webm']);

/** The extension the upload is named with, from the content type or else the file name; undefined when the endpoint would not take it. */
function extensionOf(clip: VoiceClip): string | undefined {
  const type = clip.contentType?.split(';')[0]?.trim().toLowerCase();
  if (type && extensions[type]) return extensions[type];
  const fromName = clip.name?.split('.').at(-1)?.toLowerCase();
  return fromName && knownExtensions.has(fromName) ? fromName : undefined;
}

const answer = z.object({ text: z.string() });
const platformName = { telegram: 'Telegram', slack: 'Slack', web: 'the web chat', system: 'Keel' } as const;

/** The sentence for the operator when no endpoint is configured: what to set. */
export const VOICE_NEEDS_ENDPOINT =
  'Voice notes need a transcription endpoint, and none is set: set TRANSCRIBE_BASE_URL to an OpenAI-compatible server with /v1/audio/transcriptions (a local whisper server), or OPENAI_API_KEY for OpenAI (TRANSCRIBE_MODEL names the model, whisper-1 by default), then restart Keel. Nothing was done; type the request meanwhile.';

const parsedJson = (body: string): unknown => {
  try {
    return JSON.parse(body);
  } catch {
    // Not JSON at all: the same answer as JSON without the field.
    return undefined;
  }
};

class EndpointFailure extends Error {
  constructor(
    readonly reason: string,
    readonly retryable: boolean,
    readonly waitMs?: number,
  ) {
    super(reason);
  }
}

/**
 * Reads voice notes through an OpenAI-compatible `/audio/transcriptions`
 * endpoint. It is a read, not an effect on the world, so it does not go
 * through the kernel; it is bounded all the same (a timeout per attempt,
 * retries of 429/5xx and dropped connections), and each file is transcribed
 * once: the transcript is stored under the platform's file id, and a second
 * delivery of the same file while the first is still being heard waits for it.
 * Every failure is a sentence for the operator, never a thrown error.
 */
export function createTranscriber(deps: { db: Db; clock: Clock; logger: Logger; settings: TranscribeSettings | undefined }): Transcriber {
  const { db, clock, logger, settings } = deps;
  const inFlight = new Map<string, Promise<Heard>>();

  const stored = (clip: VoiceClip) =>
    first(
      db
        .select({ text: voiceTranscripts.text })
        .from(voiceTranscripts)
        .where(and(eq(voiceTranscripts.transport, clip.transport), eq(voiceTranscripts.fileId, clip.fileId))),
    );

  async function post(endpoint: TranscribeSettings, bytes: Uint8Array, extension: string): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await postOnce(endpoint, bytes, extension);
      } catch (error) {
        const failure =
          error instanceof EndpointFailure
            ? error
            : new EndpointFailure(
                error instanceof Error && error.name === 'TimeoutError'
                  ? `The transcription endpoint did not answer within ${TIMEOUT_MS / 1000} s`
                  : `The transcription endpoint could not be reached (${error instanceof Error ? error.message : String(error)})`,
                !(error instanceof Error && error.name === 'TimeoutError'),
              );
        if (!failure.retryable || attempt >= MAX_RETRIES) throw failure;
        logger.warn('transcription attempt failed; retrying', { attempt: attempt + 1, reason: failure.reason });
        await new Promise((resolve) => setTimeout(resolve, Math.min(failure.waitMs ?? 500 * 2 ** attempt, MAX_RETRY_WAIT_MS)));
      }
    }
  }

  async function postOnce(endpoint: TranscribeSettings, bytes: Uint8Array, extension: string): Promise<string> {
    const form = new FormData();
    // A copy: Blob takes only bytes over a plain ArrayBuffer.
    form.append('file', new Blob([new Uint8Array(bytes)]), `voice.${extension}`);
    form.append('model', endpoint.model);
    form.append('response_format', 'json');
    const response = await fetch(`${endpoint.baseUrl.replace(/\/+$/, '')}/audio/transcriptions`, {
      method: 'POST',
      headers: endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {},
      body: form,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body = await response.text();
    if (response.ok) {
      const parsed = answer.safeParse(parsedJson(body));
      if (!parsed.success) throw new EndpointFailure('The transcription endpoint answered without a "text" field', false);
      return parsed.data.text.trim();
    }
    const quoted = body.slice(0, 200).replace(/\s+/g, ' ');
    if (retryableStatus(response.status)) {
      throw new EndpointFailure(`The transcription endpoint answered ${response.status}`, true, retryAfterMs(response.headers.get('retry-after'), clock));
    }
    if (response.status === 401 || response.status === 403)
      throw new EndpointFailure(`The transcription endpoint refused the key (${response.status}); check TRANSCRIBE_API_KEY (or OPENAI_API_KEY)`, false);
    if (response.status === 404)
      throw new EndpointFailure(
        `The transcription endpoint has no /audio/transcriptions (404); point TRANSCRIBE_BASE_URL at one that does (OpenAI, or a local whisper server)`,
        false,
      );
    throw new EndpointFailure(`The transcription endpoint could not read the recording (${response.status}: ${quoted})`, false);
  }

  async function hear(clip: VoiceClip, download: () => Promise<Uint8Array>): Promise<Heard> {
    if (!settings) return { ok: false, reason: VOICE_NEEDS_ENDPOINT };
    const cached = await stored(clip);
    if (cached) return { ok: true, text: cached.text };
    if (clip.durationSeconds !== undefined && clip.durationSeconds > MAX_VOICE_SECONDS) {
      return {
        ok: false,
        reason: `That recording is ${Math.round(clip.durationSeconds)} s long; Keel transcribes up to ${MAX_VOICE_SECONDS / 60} minutes. Nothing was done: send shorter notes, or type it.`,
      };
    }
    if (clip.sizeBytes !== undefined && clip.sizeBytes > MAX_VOICE_BYTES) {
      return { ok: false, reason: `That recording is larger than ${MAX_VOICE_BYTES / 1024 / 1024} MB, too large to transcribe. Nothing was done.` };
    }
    const extension = extensionOf(clip);
    if (!extension) {
      return {
        ok: false,
        reason: `Keel cannot transcribe ${clip.contentType ?? 'this kind of file'}${clip.name ? ` (${clip.name})` : ''}; it takes ogg, opus, mp3, m4a, mp4, wav, webm and flac recordings. Nothing was done.`,
      };
    }
    let bytes: Uint8Array;
    try {
      bytes = await download();
    } catch (error) {
      logger.warn('could not download a voice note', { transport: clip.transport, error });
      return { ok: false, reason: `Keel could not fetch the recording from ${platformName[clip.transport]}; nothing was done. Send it again.` };
    }
    if (bytes.byteLength > MAX_VOICE_BYTES) {
      return { ok: false, reason: `That recording is larger than ${MAX_VOICE_BYTES / 1024 / 1024} MB, too large to transcribe. Nothing was done.` };
    }
    let text: string;
    try {
      text = await post(settings, bytes, extension);
    } catch (error) {
      const reason = error instanceof EndpointFailure ? error.reason : String(error);
      logger.warn('transcription failed', { transport: clip.transport, reason });
      return { ok: false, reason: `${reason}. Nothing was done; send the voice note again later, or type it.` };
    }
    if (!text) return { ok: false, reason: 'I heard nothing in that recording (it was silent or too short). Nothing was done; try again, or type it.' };
    if (text.length > MAX_TEXT) {
      return {
        ok: false,
        reason: `That recording comes to more than ${MAX_TEXT} characters of text, longer than one message may be. Nothing was done: send it in shorter notes.`,
      };
    }
    await db
      .insert(voiceTranscripts)
      .values({ transport: clip.transport, fileId: clip.fileId, text, model: settings.model, createdAt: clock.now() })
      .onConflictDoNothing();
    return { ok: true, text };
  }

  return {
    transcribe(clip, download) {
      const key = `${clip.transport}:${clip.fileId}`;
      const running = inFlight.get(key);
      if (running) return running;
      const heard = hear(clip, download).finally(() => inFlight.delete(key));
      inFlight.set(key, heard);
      return heard;
    },
  };
}
