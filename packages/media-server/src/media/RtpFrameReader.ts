/**
 * One incoming RTP stream of a recorder turned into frames: header parsed in place, packets
 * reordered, payloads depacketized. On a lost video packet it drops frames until the next key
 * frame and asks for one (the element routes the request upstream as a PLI), instead of handing
 * a broken frame to the writer. A new SSRC (a source swapped mid-recording) starts over: new
 * sequence, wait for a key frame.
 */
import type { MediaKind, RtpCodec } from '../types/media.js';
import { createDepacketizer, type Depacketizer, type EncodedFrame, H264Depacketizer } from './depacketize/index.js';
import { ReorderBuffer } from './ReorderBuffer.js';

/**
 * Length of the RTP header (fixed part, CSRCs, extension) of the packet at `p[start, end)`, or -1.
 * rtp/rtpHeader.ts reads a packet that starts at 0; packets that waited in the reorder slab do not.
 */
function rtpHeaderAt(p: Buffer, start: number, end: number): number {
  if (end - start < 12 || (p[start] ?? 0) >> 6 !== 2) return -1;
  let length = 12 + ((p[start] ?? 0) & 0x0f) * 4;
  if ((p[start] ?? 0) & 0x10) {
    if (start + length + 4 > end) return -1;
    length += 4 + p.readUInt16BE(start + length + 2) * 4;
  }
  return start + length <= end ? length : -1;
}

/** A frame with the stream it came from. */
export interface StreamFrame extends EncodedFrame {
  readonly ssrc: number;
  /** performance.now() when its last packet arrived. */
  readonly arrivalMs: number;
}

/** What a frame reader tells its owner. */
export interface RtpFrameReaderEvents {
  /** A complete frame, in decode order, starting with a key frame for video. */
  frame(frame: StreamFrame): void;
  /** A key frame is needed (loss, a new source, or the first frame was not one). */
  keyframeNeeded(): void;
  /** Packets given up as lost. */
  lost?(count: number): void;
}

/** How often a key frame is asked for while waiting for one, at most. */
const KEYFRAME_REQUEST_INTERVAL_MS = 500;

/** Frames from one kind's RTP packets. */
export class RtpFrameReader {
  readonly #codec: RtpCodec;
  readonly #depacketizer: Depacketizer;
  readonly #reorder: ReorderBuffer;
  /** Video waits for a key frame after a loss and at the start; audio never does. */
  readonly #gated: boolean;
  /** SSRC of the current source; -1 before the first packet. */
  #ssrc = -1;
  /** True while video frames are dropped until a key frame. */
  #waitingForKey: boolean;
  /** When a key frame was last asked for. */
  #lastRequestMs = -Infinity;
  /** Arrival time of the packet being delivered. */
  #nowMs = 0;

  constructor(
    /** Audio or video. */
    readonly kind: MediaKind,
    codec: RtpCodec,
    private readonly events: RtpFrameReaderEvents,
  ) {
    const depacketizer = createDepacketizer(codec, (frame) => this.#onFrame(frame));
    if (!depacketizer) throw new TypeError(`no depacketizer for ${codec.mimeType}`);
    this.#codec = codec;
    this.#depacketizer = depacketizer;
    this.#gated = kind === 'video';
    this.#waitingForKey = this.#gated;
    this.#reorder = new ReorderBuffer(
      (bytes, start, end) => this.#inOrder(bytes, start, end),
      (lost) => this.#onLoss(lost),
      { maxWaitMs: kind === 'video' ? 200 : 80 },
    );
  }

  /** The codec of the stream. */
  get codec(): RtpCodec {
    return this.#codec;
  }

  /** The latest SPS and PPS of an H.264 stream. */
  get h264ParameterSets(): { sps?: Uint8Array; pps?: Uint8Array } {
    return this.#depacketizer instanceof H264Depacketizer ? { sps: this.#depacketizer.sps, pps: this.#depacketizer.pps } : {};
  }

  /** Takes one RTP packet (not kept: copied when it must wait). Malformed packets are ignored. */
  push(packet: Buffer, nowMs: number = performance.now()): void {
    if (packet.length < 12) return;
    const ssrc = packet.readUInt32BE(8);
    this.#nowMs = nowMs;
    if (ssrc !== this.#ssrc) this.#newSource(ssrc);
    this.#reorder.push(packet, packet.readUInt16BE(2), nowMs);
  }

  /** Hands on what waits in the reorder buffer (at stop). */
  flush(): void {
    this.#reorder.flush();
  }

  /** Drops frames until the next key frame, asking for one (after a pause, or a writer overflow). */
  requireKeyframe(): void {
    if (!this.#gated) return;
    this.#depacketizer.reset();
    this.#waitingForKey = true;
    this.#askForKeyframe(true);
  }

  #newSource(ssrc: number): void {
    this.#ssrc = ssrc;
    this.#reorder.reset();
    this.#depacketizer.reset();
    if (this.#gated) {
      this.#waitingForKey = true;
      this.#askForKeyframe(true);
    }
  }

  /** One packet at `bytes[start, packetEnd)` in order: header and padding off, payload to the depacketizer. */
  #inOrder(bytes: Buffer, start: number, packetEnd: number): void {
    const header = rtpHeaderAt(bytes, start, packetEnd);
    if (header < 0) return;
    let end = packetEnd;
    if ((bytes[start] ?? 0) & 0x20) end -= bytes[end - 1] ?? 0; // padding (RFC 3550 §5.1)
    if (end <= start + header) return;
    const marker = ((bytes[start + 1] ?? 0) & 0x80) !== 0;
    this.#depacketizer.push(bytes, start + header, end, marker, bytes.readUInt32BE(start + 4));
  }

  #onLoss(count: number): void {
    this.events.lost?.(count);
    if (this.#gated) this.requireKeyframe();
  }

  #onFrame(frame: EncodedFrame): void {
    if (this.#waitingForKey) {
      if (!frame.keyframe) {
        this.#askForKeyframe(false);
        return;
      }
      this.#waitingForKey = false;
    }
    this.events.frame({ ...frame, ssrc: this.#ssrc, arrivalMs: this.#nowMs });
  }

  #askForKeyframe(now: boolean): void {
    if (!now && this.#nowMs - this.#lastRequestMs < KEYFRAME_REQUEST_INTERVAL_MS) return;
    this.#lastRequestMs = this.#nowMs;
    this.events.keyframeNeeded();
  }
}
