/**
 * The player tutorial's signalling between the page and the application server, on the
 * `/player` WebSocket: Kurento's player tutorial messages with their fields (videoInfo's
 * initSeekable, endSeekable and videoDuration are VideoInfo's seekableInit, seekableEnd and
 * duration, in ms), so that a page written for Kurento's tutorial talks to this server. Shared
 * by src/ and public/; nothing here needs Node or the DOM.
 */
import { BadMessage, readMessage, requireCandidate, requireString, unknownId, type Candidate, type RawMessage } from '@kurento-ts/tutorial-kit/messages';

export { BadMessage, type Candidate } from '@kurento-ts/tutorial-kit/messages';

/** The longest URL a page may send (a URL is short; a megabyte of one is not). */
export const MAX_URL_LENGTH = 2048;

/** Page → server. */
export type BrowserMessage =
  | { id: 'start'; sdpOffer: string; videourl: string }
  | { id: 'stop' }
  | { id: 'pause' }
  | { id: 'resume' }
  | { id: 'doSeek'; position: number }
  | { id: 'getPosition' }
  | { id: 'onIceCandidate'; candidate: Candidate };

/** Server → page. */
export type ServerMessage =
  | { id: 'startResponse'; sdpAnswer: string }
  | { id: 'videoInfo'; isSeekable: boolean; initSeekable: number; endSeekable: number; videoDuration: number }
  | { id: 'seek'; message: string }
  | { id: 'position'; position: number }
  | { id: 'playEnd' }
  | { id: 'iceCandidate'; candidate: Candidate }
  | { id: 'error'; message: string };

/** The answer to pause, resume, doSeek or getPosition while nothing plays. */
export const NOT_PLAYING = 'Nothing is playing: press Start first.';

/** `fields[name]` as a whole number of milliseconds, 0 or more. */
function requireMillis(message: RawMessage, name: string): number {
  const value = message.fields[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new BadMessage(`${message.id}: "${name}" must be a whole number of milliseconds, 0 or more`);
  return value;
}

/** Parses and checks one text frame from a page; throws BadMessage when it is not one of ours. */
export function parseBrowserMessage(text: string): BrowserMessage {
  const message = readMessage(text);
  switch (message.id) {
    case 'start':
      return { id: 'start', sdpOffer: requireString(message, 'sdpOffer'), videourl: requireString(message, 'videourl', MAX_URL_LENGTH) };
    case 'stop':
    case 'pause':
    case 'resume':
    case 'getPosition':
      return { id: message.id };
    case 'doSeek':
      return { id: 'doSeek', position: requireMillis(message, 'position') };
    case 'onIceCandidate':
      return { id: 'onIceCandidate', candidate: requireCandidate(message) };
    default:
      throw unknownId(message);
  }
}
