/**
 * The recorder tutorial's signalling between the page and the application server, on the
 * `/recording` WebSocket: Kurento's hello-world-recording messages, so that a page written for
 * Kurento's tutorial talks to this server, plus the recording's `uri` on startResponse (shown on
 * the page, for ffprobe). Shared by src/ and public/; nothing here needs Node or the DOM.
 */
import { readMessage, requireCandidate, requireOneOf, requireString, unknownId, type Candidate } from '@kurento-ts/tutorial-kit/messages';

export { BadMessage, type Candidate } from '@kurento-ts/tutorial-kit/messages';

/** What is recorded, as Kurento's page names it. */
export const modes = ['audio-video', 'audio-only', 'video-only'] as const;
export type Mode = (typeof modes)[number];

/** The recorder's mediaProfile for each mode (Kurento's choice: WebM). */
export const PROFILES = {
  'audio-video': 'WEBM',
  'audio-only': 'WEBM_AUDIO_ONLY',
  'video-only': 'WEBM_VIDEO_ONLY',
} as const satisfies Record<Mode, string>;

/** Page → server. */
export type BrowserMessage =
  | { id: 'start'; sdpOffer: string; mode: Mode }
  | { id: 'stop' }
  | { id: 'play'; sdpOffer: string }
  | { id: 'stopPlay' }
  | { id: 'onIceCandidate'; candidate: Candidate };

/** Server → page. */
export type ServerMessage =
  | { id: 'startResponse'; sdpAnswer: string; uri: string }
  | { id: 'recording' }
  | { id: 'paused' }
  | { id: 'stopped' }
  | { id: 'playResponse'; sdpAnswer: string }
  | { id: 'playEnd' }
  | { id: 'iceCandidate'; candidate: Candidate }
  | { id: 'error'; message: string };

/** The answer to `play` before anything was recorded. */
export const NOTHING_RECORDED = 'Nothing recorded yet: press Start, then Stop, before Play.';

/** Parses and checks one text frame from a page; throws BadMessage when it is not one of ours. */
export function parseBrowserMessage(text: string): BrowserMessage {
  const message = readMessage(text);
  switch (message.id) {
    case 'start': {
      // Kurento's handler records audio and video when the mode is missing.
      const mode = message.fields['mode'] === undefined ? 'audio-video' : requireOneOf(message, 'mode', modes);
      return { id: 'start', sdpOffer: requireString(message, 'sdpOffer'), mode };
    }
    case 'stop':
      return { id: 'stop' };
    case 'play':
      return { id: 'play', sdpOffer: requireString(message, 'sdpOffer') };
    case 'stopPlay':
      return { id: 'stopPlay' };
    case 'onIceCandidate':
      return { id: 'onIceCandidate', candidate: requireCandidate(message) };
    default:
      throw unknownId(message);
  }
}
