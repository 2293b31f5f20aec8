/**
 * One timeline for every stream of a recording. A frame's RTP timestamp becomes local time
 * (performance.now() ms): first through the arrival time of its stream's first frame, then,
 * once sender reports are known (RFC 3550 §6.4.1: NTP time at an RTP timestamp), through its
 * report, with the sender's NTP clock moved onto ours by one offset, so the streams of one
 * sender keep their relative timing (lip sync).
 *
 * That offset is taken from the reference stream (video when the recording has video) at its
 * first report, so that the reference never jumps: the correction lands on the other streams
 * (audio, where a few dropped or missing 20 ms frames are harmless), not on video frames, which
 * a jump would crowd together or tear apart. A new reference SSRC (a new source) takes a new
 * offset at its own first report.
 *
 * A new source of a kind starts where its arrival puts it, but never before the previous
 * source's last frame has had its time (the previous source's frame interval): that one's times
 * follow its first frame's arrival, so a first frame that came late (a busy moment) puts all of
 * them late, and the next source's first arrival can fall before them or crowd onto the last
 * one; timestamps that go back, or two frames within one frame interval, are what players and
 * muxers reject.
 */
import type { ClockMapping, MediaKind } from '../types/media.js';

/** The signed distance a - b of two 32-bit RTP timestamps. */
const tsDelta = (a: number, b: number): number => (a - b) | 0;

/** How far after the previous source's last frame a new source's first frame lands at the least. */
const MIN_SOURCE_GAP_MS = 1;

interface StreamAnchor {
  ssrc: number;
  /** An RTP timestamp and the local time it maps to (moved forward with each frame to keep deltas small). */
  rtp: number;
  localMs: number;
  /** Local ms between its last two frames (0 until it has two). */
  stepMs: number;
  /** The latest sender report of this SSRC. */
  report: ClockMapping | undefined;
}

/** RTP timestamps of several streams onto one local clock. */
export class MediaTimeline {
  readonly #streams = new Map<MediaKind, StreamAnchor>();
  /** Sender NTP ms minus local ms; undefined until the reference stream has a report. */
  #ntpOffset: number | undefined;
  /** The reference SSRC the offset was taken from. */
  #offsetSsrc: number | undefined;
  /** Reports that arrived before their stream's first frame, by SSRC. */
  readonly #early = new Map<number, ClockMapping>();

  constructor(
    /** The kind whose timing is never corrected (video, or the only kind). */
    private readonly reference: MediaKind,
  ) {}

  /** A sender report of one stream. */
  setClockMapping(kind: MediaKind, mapping: ClockMapping): void {
    const stream = this.#streams.get(kind);
    if (stream && stream.ssrc === mapping.ssrc) stream.report = mapping;
    else this.#early.set(mapping.ssrc, mapping);
  }

  /** The local time (ms) of a frame of `kind`. */
  localTime(kind: MediaKind, ssrc: number, rtpTimestamp: number, clockRate: number, arrivalMs: number): number {
    let stream = this.#streams.get(kind);
    if (!stream || stream.ssrc !== ssrc) {
      const start = stream ? Math.max(arrivalMs, stream.localMs + Math.max(stream.stepMs, MIN_SOURCE_GAP_MS)) : arrivalMs;
      stream = { ssrc, rtp: rtpTimestamp, localMs: start, stepMs: 0, report: this.#early.get(ssrc) };
      this.#early.delete(ssrc);
      this.#streams.set(kind, stream);
    }
    let localMs = stream.localMs + (tsDelta(rtpTimestamp, stream.rtp) * 1000) / clockRate;
    const { report } = stream;
    if (report) {
      const ntpMs = report.ntpMs + (tsDelta(rtpTimestamp, report.rtpTimestamp) * 1000) / clockRate;
      if (kind === this.reference && this.#offsetSsrc !== ssrc) {
        this.#ntpOffset = ntpMs - localMs;
        this.#offsetSsrc = ssrc;
      }
      if (this.#ntpOffset !== undefined) localMs = ntpMs - this.#ntpOffset;
    }
    if (localMs > stream.localMs) stream.stepMs = localMs - stream.localMs;
    stream.rtp = rtpTimestamp;
    stream.localMs = localMs;
    return localMs;
  }
}
