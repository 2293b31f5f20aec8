/**
 * The shape every depacketizer has: in-order RTP payloads in, whole frames out. A frame is what
 * a container stores as one block or sample: a VP8 or VP9 frame, an H.264 access unit (AVCC:
 * each NAL unit behind a 4-byte length), an Opus packet.
 */

/** One encoded frame reassembled from RTP. */
export interface EncodedFrame {
  /** The codec bitstream of the frame (owned by the receiver). */
  readonly data: Uint8Array;
  /** Whether a decoder can start here. */
  readonly keyframe: boolean;
  /** The RTP timestamp of its packets. */
  readonly rtpTimestamp: number;
}

/** Receives each completed frame. */
export type FrameHandler = (frame: EncodedFrame) => void;

/** Turns in-order payloads of one stream into frames. */
export interface Depacketizer {
  /**
   * One payload, `packet[start, end)`, in sequence order (not kept after the call). A frame ends
   * on the marker bit (video) or with each packet (audio); a payload that does not fit the frame
   * in progress drops that frame.
   */
  push(packet: Buffer, start: number, end: number, marker: boolean, rtpTimestamp: number): void;
  /** Drops the frame in progress (after a lost packet, or a new source). */
  reset(): void;
}
