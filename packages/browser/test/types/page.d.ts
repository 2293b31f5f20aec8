/** Globals of the test pages (the library's own `kurentoUtils` is declared by src/global.ts). */
import type { WebRtcPeer } from '../../src/index.js';

interface Inbound {
  video: { framesDecoded: number; frameWidth: number };
  audio: { packetsReceived: number };
}

declare global {
  /** The README page's peer, a top-level `var` as in Kurento's tutorials. */
  var webRtcPeer: WebRtcPeer | null;
  /** @kurento-ts/test-utils page-probe.js */
  var probe: {
    streams: MediaStream[];
    watch(video: HTMLVideoElement): void;
    frames(video: HTMLVideoElement): number;
    compare(local: HTMLVideoElement, remote: HTMLVideoElement): { remoteVsBestLocal: number; remoteVsBlack: number; size: string } | null;
    inbound(pc: RTCPeerConnection): Promise<Inbound>;
  };
}
