/** Public types of the browser helper: options and callbacks, with kurento-utils' names. */
import type { WebRtcPeer } from './WebRtcPeer.js';

/** What a peer does with media, named as in kurento-utils. */
export type PeerMode = 'sendrecv' | 'sendonly' | 'recvonly';

/**
 * An error-first callback as kurento-utils calls them: `this` is the peer, `error` is null on
 * success. The results are there only when `error` is null; they are typed as always present,
 * the convention of @types/node's callbacks (TypeScript cannot narrow them from `error` while
 * still accepting callbacks that declare fewer parameters).
 */
export type PeerCallback<Result extends unknown[] = []> = (this: WebRtcPeer, error: Error | null, ...result: Result) => void;

/** Receives each local ICE candidate; the application sends it to its server. */
export type IceCandidateListener = (this: WebRtcPeer, candidate: RTCIceCandidate) => void;

/** The events a peer emits (kurento-utils' EventEmitter names). */
export interface WebRtcPeerEvents {
  /** A local ICE candidate to send to the media server. */
  icecandidate: IceCandidateListener;
  /** The browser has gathered all its local candidates. */
  candidategatheringdone: (this: WebRtcPeer) => void;
}

/** Where local media comes from when no stream is given. */
export type SendSource = 'webcam' | 'screen' | 'window';

/** The data channel a peer opens when `dataChannels` is true. */
export interface DataChannelConfig {
  /** The channel's label; default `WebRtcPeer-<peer id>`. */
  id?: string;
  options?: RTCDataChannelInit;
  onopen?: (this: RTCDataChannel, event: Event) => void;
  onclose?: (this: RTCDataChannel, event: Event) => void;
  onmessage?: (this: RTCDataChannel, event: MessageEvent) => void;
  onbufferedamountlow?: (this: RTCDataChannel, event: Event) => void;
  onerror?: (this: RTCDataChannel, event: Event) => void;
}

/** Options of a WebRtcPeer, kurento-utils 7's names and meanings except where noted. */
export interface WebRtcPeerOptions {
  /** Shows the local media (muted). */
  localVideo?: HTMLVideoElement | null;
  /** Plays the remote media. */
  remoteVideo?: HTMLVideoElement | null;
  /** Called with each local ICE candidate (same as `peer.on('icecandidate', ...)`). */
  onicecandidate?: IceCandidateListener;
  /** Called when local gathering is complete. */
  oncandidategatheringdone?: (this: WebRtcPeer) => void;
  /**
   * Receives errors that have no other receiver: a failed start when the constructor got no
   * callback, data channel errors without their own handler. Default: `console.error`.
   */
  onerror?: (error: Error) => void;
  /** Called for each remote track (RTCPeerConnection's `track` event). */
  ontrack?: (event: RTCTrackEvent) => void;
  /**
   * For `getUserMedia` (send modes), default `{ audio: true, video: { width: 640, frameRate: 15 } }`.
   * For recvonly peers only `audio: false` / `video: false` matter: they leave that kind out.
   */
  mediaConstraints?: MediaStreamConstraints;
  /**
   * The RTCPeerConnection configuration (iceServers...). Unlike kurento-utils, no public STUN
   * servers are added by default: give them here when the deployment needs them.
   */
  configuration?: RTCConfiguration;
  /** Media to send instead of asking for the camera (send modes; tracks are stopped by dispose). */
  videoStream?: MediaStream;
  /** Second source, typically audio (send modes; tracks are stopped by dispose). */
  audioStream?: MediaStream;
  /** Opens a data channel (see `dataChannelConfig`, `send`, `dataChannel`). */
  dataChannels?: boolean;
  dataChannelConfig?: DataChannelConfig;
  /** `'webcam'` (default) uses getUserMedia; `'screen'`/`'window'` use getDisplayMedia. */
  sendSource?: SendSource;
  /** Use this peer connection instead of creating one (it is closed by dispose). */
  peerConnection?: RTCPeerConnection;
  /** The peer's id (default: a random UUID). */
  id?: string;
}
