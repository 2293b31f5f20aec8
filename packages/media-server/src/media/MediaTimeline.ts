/**
 * One timeline for every stream of a recording. A frame's RTP timestamp becomes local time
 * (performance.now() ms): through its stream's sender report when one is known (RFC 3550
 * §6.4.1: NTP time at an RTP timestamp; the sender's NTP clock moved onto ours by one offset
 * per recording, so streams of one sender keep their relative timing: lip sync), else through
 * the arrival time of the stream's first frame. A new SSRC anchors afresh.
 */
import type { ClockMapping, MediaKind } from '../types/media.js';

/** The signed distance a - b of two 32-bit RTP timestamps. */
const tsDelta = (a: number, b: number): number => (a - b) | 0;

interface StreamAnchor {
  ssrc: number;
  clockRate: number;
  /** An RTP timestamp and the local time it maps to (moved forward with each frame to keep deltas small). */
  rtp: number;
  localMs: number;
  /** The latest sender report of this SSRC. */
  report: ClockMapping | undefined;
}

/** RTP timestamps of several streams onto one local clock. */
export class MediaTimeline {
  readonly #streams = new Map<MediaKind, StreamAnchor>();
  /** Sender NTP ms minus local ms, from the first sender report seen; undefined before one. */
  #ntpOffset: number | undefined;
  /** Reports that arrived before their stream's first frame, by SSRC. */
  readonly #early = new Map<number, ClockMapping>();

  /** A sender report of one stream. */
  setClockMapping(kind: MediaKind, mapping: ClockMapping): void {
    this.#ntpOffset ??= mapping.ntpMs - mapping.receivedAtMs;
    const stream = this.#streams.get(kind);
    if (stream && stream.ssrc === mapping.ssrc) stream.report = mapping;
    else this.#early.set(mapping.ssrc, mapping);
  }

  /** The local time (ms) of a frame of `kind`. */
  localTime(kind: MediaKind, ssrc: number, rtpTimestamp: number, clockRate: number, arrivalMs: number): number {
    let stream = this.#streams.get(kind);
    if (!stream || stream.ssrc !== ssrc) {
      stream = { ssrc, clockRate, rtp: rtpTimestamp, localMs: arrivalMs, report: this.#early.get(ssrc) };
      this.#early.delete(ssrc);
      this.#streams.set(kind, stream);
    }
    const { report } = stream;
    const localMs =
      report && this.#ntpOffset !== undefined
        ? report.ntpMs + (tsDelta(rtpTimestamp, report.rtpTimestamp) * 1000) / clockRate - this.#ntpOffset
        : stream.localMs + (tsDelta(rtpTimestamp, stream.rtp) * 1000) / clockRate;
    stream.rtp = rtpTimestamp;
    stream.localMs = localMs;
    return localMs;
  }
}
