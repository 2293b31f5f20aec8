/**
 * The one-to-one call's signalling between the page and the application server, on the
 * `/one2one` WebSocket: Kurento's tutorial messages with their fields, so that a page written for
 * Kurento's tutorial talks to this server, plus `error` for messages the server cannot act on.
 * Shared by src/ and public/ (types, and the parser the server uses on everything a page sends);
 * nothing here needs Node or the DOM.
 */
import { optionalString, readMessage, requireCandidate, requireOneOf, requireString, unknownId, type Candidate } from '@kurento-ts/tutorial-kit/messages';

export { BadMessage, type Candidate } from '@kurento-ts/tutorial-kit/messages';

/** The longest user name accepted. */
export const MAX_NAME_LENGTH = 64;

/** Page → server. `call.from` is accepted for Kurento's pages but not needed: the caller is whoever registered on that socket. */
export type BrowserMessage =
  | { id: 'register'; name: string }
  | { id: 'call'; to: string; from: string | undefined; sdpOffer: string }
  | { id: 'incomingCallResponse'; from: string; callResponse: 'accept'; sdpOffer: string }
  | { id: 'incomingCallResponse'; from: string; callResponse: 'reject'; message: string | undefined }
  | { id: 'stop' }
  | { id: 'onIceCandidate'; candidate: Candidate };

/** Server → page. */
export type ServerMessage =
  | { id: 'registerResponse'; response: 'accepted' }
  | { id: 'registerResponse'; response: 'rejected'; message: string }
  | { id: 'incomingCall'; from: string }
  | { id: 'callResponse'; response: 'accepted'; sdpAnswer: string }
  | { id: 'callResponse'; response: 'rejected'; message: string }
  | { id: 'startCommunication'; sdpAnswer: string }
  | { id: 'stopCommunication'; message: string }
  | { id: 'iceCandidate'; candidate: Candidate }
  | { id: 'error'; message: string };

/** Parses and checks one text frame from a page; throws BadMessage when it is not one of ours. */
export function parseBrowserMessage(text: string): BrowserMessage {
  const message = readMessage(text);
  switch (message.id) {
    case 'register':
      return { id: 'register', name: requireString(message, 'name', MAX_NAME_LENGTH) };
    case 'call':
      return { id: 'call', to: requireString(message, 'to', MAX_NAME_LENGTH), from: optionalString(message, 'from'), sdpOffer: requireString(message, 'sdpOffer') };
    case 'incomingCallResponse': {
      const from = requireString(message, 'from', MAX_NAME_LENGTH);
      if (requireOneOf(message, 'callResponse', ['accept', 'reject']) === 'accept') {
        return { id: 'incomingCallResponse', from, callResponse: 'accept', sdpOffer: requireString(message, 'sdpOffer') };
      }
      return { id: 'incomingCallResponse', from, callResponse: 'reject', message: optionalString(message, 'message') };
    }
    case 'stop':
      return { id: 'stop' };
    case 'onIceCandidate':
      return { id: 'onIceCandidate', candidate: requireCandidate(message) };
    default:
      throw unknownId(message);
  }
}
