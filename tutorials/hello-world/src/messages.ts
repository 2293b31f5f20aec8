/**
 * The Hello World signalling protocol between the page and the application server, on the
 * `/helloworld` WebSocket: Kurento's tutorial messages, plus `event` to show the media
 * server's events on the page. Shared by src/ and public/ (types, and the parser the server
 * uses on everything a browser sends); nothing here needs Node or the DOM.
 */

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

/** An ICE candidate as both ends exchange it (RTCIceCandidateInit's and Kurento's fields). */
export interface Candidate {
  candidate: string;
  sdpMid: string;
  sdpMLineIndex: number;
}

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

/** A message the server cannot act on, and why (sent back as `error`). */
export class BadMessage extends Error {
  override readonly name = 'BadMessage';
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and checks one text frame from a browser; throws BadMessage when it is not one of ours. */
export function parseBrowserMessage(text: string): BrowserMessage {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    throw new BadMessage('Malformed message: not JSON');
  }
  if (!isRecord(message) || typeof message['id'] !== 'string') throw new BadMessage('Malformed message: expected an object with a string "id"');
  switch (message['id']) {
    case 'start': {
      const sdpOffer = message['sdpOffer'];
      if (typeof sdpOffer !== 'string' || sdpOffer === '') throw new BadMessage('start: "sdpOffer" must be a non-empty string');
      return { id: 'start', sdpOffer };
    }
    case 'onIceCandidate': {
      const c = message['candidate'];
      // An RTCIceCandidate serialized by the browser; extra fields (usernameFragment) are dropped.
      if (!isRecord(c) || typeof c['candidate'] !== 'string' || typeof c['sdpMid'] !== 'string' || !Number.isInteger(c['sdpMLineIndex'])) {
        throw new BadMessage('onIceCandidate: "candidate" must have candidate, sdpMid and sdpMLineIndex');
      }
      return { id: 'onIceCandidate', candidate: { candidate: c['candidate'], sdpMid: c['sdpMid'], sdpMLineIndex: c['sdpMLineIndex'] as number } };
    }
    case 'stop':
      return { id: 'stop' };
    default:
      throw new BadMessage(`Invalid message id ${JSON.stringify(message['id'])}`);
  }
}
