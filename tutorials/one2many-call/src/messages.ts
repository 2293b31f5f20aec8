/**
 * The one-to-many call's signalling between the page and the application server, on the
 * `/one2many` WebSocket: Kurento's tutorial messages with their fields, so that a page written for
 * Kurento's tutorial talks to this server, plus `error` for messages the server cannot act on
 * (and a `message` saying why on stopCommunication, which Kurento's pages ignore). Shared by src/
 * and public/; nothing here needs Node or the DOM.
 */
import { readMessage, requireCandidate, requireString, unknownId, type Candidate } from '@kurento-ts/tutorial-kit/messages';

export { BadMessage, type Candidate } from '@kurento-ts/tutorial-kit/messages';

/** Page → server. */
export type BrowserMessage =
  | { id: 'presenter'; sdpOffer: string }
  | { id: 'viewer'; sdpOffer: string }
  | { id: 'stop' }
  | { id: 'onIceCandidate'; candidate: Candidate };

/** The answer to `presenter` or `viewer`. */
export type Response = { response: 'accepted'; sdpAnswer: string } | { response: 'rejected'; message: string };

/** Server → page. */
export type ServerMessage =
  | ({ id: 'presenterResponse' } & Response)
  | ({ id: 'viewerResponse' } & Response)
  | { id: 'stopCommunication'; message: string }
  | { id: 'iceCandidate'; candidate: Candidate }
  | { id: 'error'; message: string };

/** Kurento's answer to a second presenter. */
export const PRESENTER_TAKEN = 'Another user is currently acting as presenter. Try again later ...';
/** Kurento's answer to a viewer when nobody presents. */
export const NO_PRESENTER = 'No active presenter. Try again later...';

/** Parses and checks one text frame from a page; throws BadMessage when it is not one of ours. */
export function parseBrowserMessage(text: string): BrowserMessage {
  const message = readMessage(text);
  switch (message.id) {
    case 'presenter':
      return { id: 'presenter', sdpOffer: requireString(message, 'sdpOffer') };
    case 'viewer':
      return { id: 'viewer', sdpOffer: requireString(message, 'sdpOffer') };
    case 'stop':
      return { id: 'stop' };
    case 'onIceCandidate':
      return { id: 'onIceCandidate', candidate: requireCandidate(message) };
    default:
      throw unknownId(message);
  }
}
