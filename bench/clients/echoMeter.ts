/**
 * Counts what the load client sends and what comes back, for one measurement window. A packet
 * belongs to the window by its send time (carried in its tag), so packets still in flight when
 * the window closes are waited for, not counted as lost, and a late echo of a packet sent before
 * the window does not count as received. Latency samples come from the same packets.
 */
import { LatencyHistogram } from '../lib/histogram.js';

export class EchoMeter {
  /** All RTP packets sent / echoed since the start, whatever the window. */
  sentTotal = 0;
  echoedTotal = 0;
  rtcpReceived = 0;
  /** Echoes whose tag names another session: a server routing bug if ever non-zero. */
  misrouted = 0;
  /** Packets the client was too late to send on time and skipped (the client fell behind). */
  skipped = 0;
  sentInWindow = 0;
  echoedInWindow = 0;
  readonly latency = new LatencyHistogram();
  private windowStart = Number.POSITIVE_INFINITY;
  private windowEnd = Number.POSITIVE_INFINITY;

  /** Starts counting packets sent from `nowMs` on. */
  openWindow(nowMs: number): void {
    this.windowStart = nowMs;
    this.windowEnd = Number.POSITIVE_INFINITY;
    this.sentInWindow = 0;
    this.echoedInWindow = 0;
    this.latency.reset();
  }

  /** Stops counting packets sent after `nowMs`; their echoes are still counted when they come. */
  closeWindow(nowMs: number): void {
    this.windowEnd = nowMs;
  }

  onSent(sendTimeMs: number): void {
    this.sentTotal++;
    if (sendTimeMs >= this.windowStart && sendTimeMs < this.windowEnd) this.sentInWindow++;
  }

  onEcho(sendTimeMs: number, nowMs: number): void {
    this.echoedTotal++;
    if (sendTimeMs >= this.windowStart && sendTimeMs < this.windowEnd) {
      this.echoedInWindow++;
      this.latency.record(nowMs - sendTimeMs);
    }
  }
}
