/**
 * The Hello World signalling protocol between the page and the application server, on the
 * `/helloworld` WebSocket: Kurento's tutorial messages, plus `event` to show the media
 * server's events on the page. Shared by src/ and public/ (types, and the parser the server
 * uses on everything a browser sends); nothing here needs Node or the DOM.
 */
import { readMessage, requireCandidate, requireString, unknownId, type Candidate } from '@kurento-ts/tutorial-kit/messages';

export { BadMessage, type Candidate } from '@kurento-ts/tutorial-kit/messages';

/** The WebRtcEndpoint events the page shows, in Kurento's names. */
export const forwardedEvents = [
  'Error',
  'MediaFlowInStateChanged',
  'MediaFlowOutStateChanged',
  'ConnectionStateChanged',
  'MediaStateChanged',
  'MediaTranscodingStateChanged',
  'IceCandidateFound',
  'IceComponentStateChanged',
  'IceGatheringDone',
  'NewCandidatePairSelected',
] as const;

export type ForwardedEvent = (typeof forwardedEvents)[number];

/** Browser → server. */
export type BrowserMessage =
  | { id: 'start'; sdpOffer: string }
  | { id: 'onIceCandidate'; candidate: Candidate }
  | { id: 'stop' };

/** Server → browser. `event.data` is the event as the media server sent it (source, timestampMillis, fields). */
export type ServerMessage =
  | { id: 'startResponse'; sdpAnswer: string }
  | { id: 'iceCandidate'; candidate: Candidate }
  | { id: 'error'; message: string }
  | { id: 'event'; name: ForwardedEvent; data: Record<string, unknown> };

/** Parses and checks one text frame from a browser; throws BadMessage when it is not one of ours. */
export function parseBrowserMessage(text: string): BrowserMessage {
  const message = readMessage(text);
  switch (message.id) {
    case 'start':
      return { id: 'start', sdpOffer: requireString(message, 'sdpOffer') };
    case 'onIceCandidate':
      return { id: 'onIceCandidate', candidate: requireCandidate(message) };
    case 'stop':
      return { id: 'stop' };
    default:
      throw unknownId(message);
  }
}
