/**
 * @kurento-ts/browser: the browser side of a Kurento application. `WebRtcPeer` and its
 * kurento-utils-named variants; see README.md for both calling conventions.
 */
export {
  WebRtcPeer,
  WebRtcPeerSendrecv,
  WebRtcPeerSendonly,
  WebRtcPeerRecvonly,
  type WebRtcPeerFactory,
  type OfferCallback,
  type DataChannelMessage,
} from './WebRtcPeer.js';
export type {
  PeerMode,
  PeerCallback,
  IceCandidateListener,
  WebRtcPeerEvents,
  WebRtcPeerOptions,
  DataChannelConfig,
  SendSource,
} from './types.js';
