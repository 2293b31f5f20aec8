/**
 * Generic NACKs (RFC 4585 §6.2.1) for one received RTP stream: a gap in the sequence numbers asks
 * the sender for the missing packets at once, and asks again a few times while they stay missing.
 *
 * Written because werift 0.24's generator re-sends its whole lost list every 5 ms, ten times over:
 * under load the loss it reacts to brought ten retransmissions per lost packet and 200 timer
 * wake-ups a second per stream, which turned a little loss into collapse. Retries here ride on
 * the packets that keep arriving: no timer at all.
 */
import { NackCell } from '@kurento-ts/native';
import { RtcpType } from './rtcpTypes.js';

/** FMT of a Generic NACK in transport-layer feedback. */
const FMT_NACK = 1;

export interface NackPolicy {
  /** Wait between two requests for the same packet (about a round trip). */
  retryMs: number;
  /** Requests per missing packet. */
  maxTries: number;
  /** A packet missing for longer is given up (the sender's history is shorter). */
  maxAgeMs: number;
  /** Most packets tracked at once; a longer gap is given up on (a keyframe will follow). */
  maxMissing: number;
}

export const DEFAULT_NACK_POLICY: NackPolicy = { retryMs: 50, maxTries: 5, maxAgeMs: 500, maxMissing: 256 };

interface Missing {
  firstMs: number;
  lastMs: number;
  tries: number;
}

export class NackGenerator {
  /**
   * The highest sequence number received (unwrapped; -1 before the first) and whether nothing is
   * missing or due, in a ledger a forwarding lane books in C: it books only the next packet of a
   * quiet generator, and leaves anything else (a gap, a late packet) to onPacket.
   */
  readonly cells = quietCells();
  /** Missing packets by unwrapped sequence number. */
  private readonly missing = new Map<number, Missing>();
  /** Earliest time a retry may be due. */
  private nextRetryMs = Infinity;
  /** NACK packets and sequence numbers requested, for stats and tests. */
  sent = 0;
  requested = 0;

  constructor(
    private readonly senderSsrc: number,
    private readonly mediaSsrc: number,
    /** Sends one serialized RTCP packet. */
    private readonly send: (packet: Buffer) => void,
    private readonly policy: NackPolicy = DEFAULT_NACK_POLICY,
  ) {}

  /** Hot path: a packet with sequence number `seq16` arrived at `nowMs`. */
  onPacket(seq16: number, nowMs: number): void {
    this.seen(seq16, nowMs);
    this.cells[NackCell.quiet] = this.missing.size === 0 && this.nextRetryMs === Infinity ? 1 : 0;
  }

  private get highest(): number {
    return this.cells[NackCell.highest] ?? -1;
  }

  private set highest(seq: number) {
    this.cells[NackCell.highest] = seq;
  }

  private seen(seq16: number, nowMs: number): void {
    if (this.highest < 0) {
      this.highest = seq16;
      return;
    }
    let diff = (seq16 - (this.highest & 0xffff)) & 0xffff;
    if (diff >= 0x8000) diff -= 0x10000;
    const seq = this.highest + diff;
    if (diff === 1) {
      this.highest = seq;
    } else if (diff > 1) {
      this.onGap(this.highest + 1, seq, nowMs);
      this.highest = seq;
    } else if (this.missing.size > 0) {
      this.missing.delete(seq); // late or retransmitted: recovered
    }
    if (nowMs >= this.nextRetryMs) this.request(nowMs);
  }

  /** Packets currently missing (unwrapped sequence numbers), for tests. */
  missingSequences(): number[] {
    return [...this.missing.keys()].sort((a, b) => a - b);
  }

  private onGap(from: number, to: number, nowMs: number): void {
    if (to - from > this.policy.maxMissing) {
      this.missing.clear(); // too much to recover by retransmission
      this.nextRetryMs = Infinity;
      return;
    }
    for (let s = from; s < to; s++) this.missing.set(s, { firstMs: nowMs, lastMs: -Infinity, tries: 0 });
    // Oldest first out when the list is full.
    for (const seq of this.missing.keys()) {
      if (this.missing.size <= this.policy.maxMissing) break;
      this.missing.delete(seq);
    }
    this.request(nowMs);
  }

  /** Sends one NACK for every missing packet that is due, and forgets the hopeless ones. */
  private request(nowMs: number): void {
    const { retryMs, maxTries, maxAgeMs } = this.policy;
    const due: number[] = [];
    let next = Infinity;
    for (const [seq, m] of this.missing) {
      if (nowMs - m.firstMs > maxAgeMs || (m.tries >= maxTries && nowMs - m.lastMs >= retryMs)) {
        this.missing.delete(seq);
        continue;
      }
      if (m.tries === 0 || nowMs - m.lastMs >= retryMs) {
        due.push(seq);
        m.tries++;
        m.lastMs = nowMs;
      }
      // Due again after an interval: for a retry, or (after its last try) to be forgotten.
      next = Math.min(next, m.lastMs + retryMs);
    }
    this.nextRetryMs = next;
    if (due.length === 0) return;
    due.sort((a, b) => a - b);
    this.sent++;
    this.requested += due.length;
    this.send(serializeNack(this.senderSsrc, this.mediaSsrc, due));
  }
}

function quietCells(): Float64Array {
  const cells = new Float64Array(NackCell.size);
  cells[NackCell.highest] = -1;
  cells[NackCell.quiet] = 1;
  return cells;
}

/** A Generic NACK packet for ascending unwrapped sequence numbers, as PID + BLP pairs. */
export function serializeNack(senderSsrc: number, mediaSsrc: number, ascending: readonly number[]): Buffer {
  const fci: number[] = [];
  for (let i = 0; i < ascending.length; ) {
    const pid = ascending[i] ?? 0;
    let blp = 0;
    let j = i + 1;
    for (; j < ascending.length; j++) {
      const offset = (ascending[j] ?? 0) - pid - 1;
      if (offset > 15) break;
      blp |= 1 << offset;
    }
    fci.push(((pid & 0xffff) << 16) | blp);
    i = j;
  }
  const packet = Buffer.alloc(12 + fci.length * 4);
  packet[0] = 0x80 | FMT_NACK;
  packet[1] = RtcpType.RTPFB;
  packet.writeUInt16BE(packet.length / 4 - 1, 2);
  packet.writeUInt32BE(senderSsrc >>> 0, 4);
  packet.writeUInt32BE(mediaSsrc >>> 0, 8);
  fci.forEach((word, k) => packet.writeUInt32BE(word >>> 0, 12 + k * 4));
  return packet;
}
