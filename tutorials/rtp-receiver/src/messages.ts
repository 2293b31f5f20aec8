/**
 * The RTP receiver's signalling on the `/rtpreceiver` WebSocket: Kurento's rtp-receiver
 * messages. Shared by src/ and public/ (types, and the parser the server uses on everything a
 * browser sends); nothing here needs Node or the DOM.
 */
import { BadMessage, readMessage, requireCandidate, requireString, unknownId, type Candidate, type ErrorMessage } from '@kurento-ts/tutorial-kit/messages';

export { BadMessage, type Candidate } from '@kurento-ts/tutorial-kit/messages';

/** The SRTP suite the tutorial uses (SDES, as ffmpeg names it; Kurento's AES_128_CM_HMAC_SHA1_80). */
export const SRTP_SUITE = 'AES_CM_128_HMAC_SHA1_80';

/** Where an RTP sender must send, and with which keys. */
export interface ConnectionInfo {
  /** The media server's address for RTP. */
  address: string;
  audioPort: number;
  videoPort: number;
  /** With SRTP: the suite and the sender's master keys (base64 of key and salt, 30 bytes), one per stream. */
  srtp?: { suite: typeof SRTP_SUITE; audioKey: string; videoKey: string };
}

/** Browser → server. */
export type BrowserMessage =
  | { id: 'PROCESS_SDP_OFFER'; sdpOffer: string; useSrtp: boolean }
  | { id: 'ADD_ICE_CANDIDATE'; candidate: Candidate }
  | { id: 'STOP' };

/** Server → browser. */
export type ServerMessage =
  | { id: 'PROCESS_SDP_ANSWER'; sdpAnswer: string }
  | { id: 'ADD_ICE_CANDIDATE'; candidate: Candidate }
  | ({ id: 'SHOW_CONN_INFO' } & ConnectionInfo)
  | { id: 'SHOW_SDP_ANSWER'; sdpAnswer: string }
  | { id: 'END_PLAYBACK'; message: string }
  | ErrorMessage;

/** Parses and checks one text frame from a browser; throws BadMessage when it is not one of ours. */
export function parseBrowserMessage(text: string): BrowserMessage {
  const message = readMessage(text);
  switch (message.id) {
    case 'PROCESS_SDP_OFFER': {
      const useSrtp = message.fields['useSrtp'] ?? false;
      if (typeof useSrtp !== 'boolean') throw new BadMessage('PROCESS_SDP_OFFER: "useSrtp" must be true or false');
      return { id: 'PROCESS_SDP_OFFER', sdpOffer: requireString(message, 'sdpOffer'), useSrtp };
    }
    case 'ADD_ICE_CANDIDATE':
      return { id: 'ADD_ICE_CANDIDATE', candidate: requireCandidate(message) };
    case 'STOP':
      return { id: 'STOP' };
    default:
      throw unknownId(message);
  }
}
