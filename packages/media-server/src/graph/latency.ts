/**
 * Pipeline latency, as Kurento's `MediaPipeline.setLatencyStats(true)` turns it on: how long a
 * packet takes from its arrival at the endpoint that brings it into the pipeline to where an
 * element takes it in (inputLatency) and to its departure toward the sink's peer (E2ELatency).
 *
 * Forwarding is synchronous: a packet goes from its source endpoint through every element to
 * every sink's socket inside one call. So the source notes the arrival time on the pipeline's
 * probe before it forwards and clears it after; each sink reads it during the same call. With
 * latency stats off, the packet path pays one flag test per element, and no clock read.
 */
import type { MediaKind } from '../types/media.js';

/** One pipeline's probe: whether latency is measured, and the arrival of the packet being forwarded now. */
export class LatencyProbe {
  /** Kurento's latencyStats flag. */
  enabled = false;
  /** performance.now() ms when the packet being forwarded now arrived; NaN outside a forward. */
  arrivalMs = Number.NaN;
}

/** Weight of a new sample in the running averages (the smoothing of RFC 3550's jitter). */
const SMOOTHING = 1 / 16;

/** A running average of one latency. */
class Average {
  /** Milliseconds; NaN before the first sample. */
  ms = Number.NaN;

  add(sampleMs: number): void {
    this.ms = Number.isNaN(this.ms) ? sampleMs : this.ms + (sampleMs - this.ms) * SMOOTHING;
  }
}

/** What one element measured, per kind: until a packet went through, nothing. */
export class LatencyMeter {
  private readonly input: Record<MediaKind, Average> = { audio: new Average(), video: new Average() };
  private readonly endToEnd: Record<MediaKind, Average> = { audio: new Average(), video: new Average() };

  /** A packet of `kind` that arrived at `arrivalMs` entered this element at `enteredMs`. */
  entered(kind: MediaKind, arrivalMs: number, enteredMs: number): void {
    this.input[kind].add(enteredMs - arrivalMs);
  }

  /** That packet left toward this element's peer at `leftMs`. */
  left(kind: MediaKind, arrivalMs: number, leftMs: number): void {
    this.endToEnd[kind].add(leftMs - arrivalMs);
  }

  /** Average input latency of `kind` in nanoseconds (Kurento's unit), undefined before a sample. */
  inputNs(kind: MediaKind): number | undefined {
    return nanoseconds(this.input[kind].ms);
  }

  /** Average end-to-end latency of `kind` in nanoseconds, undefined before a sample. */
  endToEndNs(kind: MediaKind): number | undefined {
    return nanoseconds(this.endToEnd[kind].ms);
  }
}

const nanoseconds = (ms: number): number | undefined => (Number.isNaN(ms) ? undefined : Math.round(ms * 1e6));
