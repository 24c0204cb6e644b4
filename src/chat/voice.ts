import { z } from 'zod';
import { transportName } from './messages.js';

/**
 * A voice note or audio clip as a transport describes it before any byte is
 * fetched: enough to refuse one that is too long, too large or of a format
 * the transcription endpoint does not take, without downloading it.
 */
export const voiceClip = z.object({
  transport: transportName,
  /** The platform's stable id for the file (Telegram's file_unique_id, Slack's file id): the transcript is cached under it. */
  fileId: z.string().min(1).max(200),
  durationSeconds: z.number().nonnegative().optional(),
  sizeBytes: z.number().int().nonnegative().optional(),
  contentType: z.string().optional(),
  /** The file name, when the platform gives one (Slack, Telegram audio); its extension also tells the format. */
  name: z.string().optional(),
});
export type VoiceClip = z.infer<typeof voiceClip>;

/** What became of a clip: the words heard, or a sentence for the operator saying why there are none. */
export type Heard = { ok: true; text: string } | { ok: false; reason: string };

/**
 * Turns a clip into text. `download` is the transport's own way to fetch the
 * bytes (Telegram's getFile and file URL, Slack's url_private with the bot
 * token); it is called only when the clip passed the checks and no transcript
 * of that file is stored yet.
 */
export interface Transcriber {
  transcribe(clip: VoiceClip, download: () => Promise<Uint8Array>): Promise<Heard>;
}

/** The line Keel shows before it acts on a voice note, so a mishearing is caught before it matters. */
export const heardLine = (text: string) => `🎙 I heard: ${text}`;
