/**
 * The group call's signalling between the page and the application server, on the `/groupcall`
 * WebSocket: the messages and fields of Kurento's (Java) group-call tutorial, so that its page
 * talks to this server, plus `error` for what the server cannot do. `name` in onIceCandidate,
 * receiveVideoAnswer and iceCandidate says whose video the endpoint carries: the page's own
 * (its outgoing endpoint) or another participant's (an incoming one). Shared by src/ and public/;
 * nothing here needs Node or the DOM.
 */
import { readMessage, requireCandidate, requireString, unknownId, type Candidate } from '@kurento-ts/tutorial-kit/messages';

export { BadMessage, type Candidate } from '@kurento-ts/tutorial-kit/messages';

/** The longest participant or room name accepted. */
export const MAX_NAME_LENGTH = 64;

/** Page → server. */
export type BrowserMessage =
  | { id: 'joinRoom'; name: string; room: string }
  | { id: 'receiveVideoFrom'; sender: string; sdpOffer: string }
  | { id: 'leaveRoom' }
  | { id: 'onIceCandidate'; name: string; candidate: Candidate };

/** Server → page. */
export type ServerMessage =
  | { id: 'existingParticipants'; data: string[] }
  | { id: 'newParticipantArrived'; name: string }
  | { id: 'participantLeft'; name: string }
  | { id: 'receiveVideoAnswer'; name: string; sdpAnswer: string }
  | { id: 'iceCandidate'; name: string; candidate: Candidate }
  | { id: 'error'; message: string };

/** Parses and checks one text frame from a page; throws BadMessage when it is not one of ours. */
export function parseBrowserMessage(text: string): BrowserMessage {
  const message = readMessage(text);
  switch (message.id) {
    case 'joinRoom':
      return { id: 'joinRoom', name: requireString(message, 'name', MAX_NAME_LENGTH), room: requireString(message, 'room', MAX_NAME_LENGTH) };
    case 'receiveVideoFrom':
      return { id: 'receiveVideoFrom', sender: requireString(message, 'sender', MAX_NAME_LENGTH), sdpOffer: requireString(message, 'sdpOffer') };
    case 'leaveRoom':
      return { id: 'leaveRoom' };
    case 'onIceCandidate':
      return { id: 'onIceCandidate', name: requireString(message, 'name', MAX_NAME_LENGTH), candidate: requireCandidate(message) };
    default:
      throw unknownId(message);
  }
}
