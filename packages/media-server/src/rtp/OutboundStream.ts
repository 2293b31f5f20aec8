/**
 * One RTP stream we send to a peer (one per media kind of a transport), on the fast path: it
 * rewrites the forwarded packet's header into the stream the peer negotiated (our SSRC, its
 * payload type, one sequence and timestamp space across source changes, our header extensions),
 * protects it, sends it, and keeps it for NACKs. It also keeps the counters an RTCP sender
 * report needs.
 */
import { RetransmissionRing } from './RetransmissionRing.js';
import { RTP_FIXED_HEADER, rtpHeaderLength } from './rtpHeader.js';
import type { SrtpContext } from './SrtpContext.js';

/** What the peer negotiated for this stream. */
export interface OutboundStreamConfig {
  ssrc: number;
  /** Payload type used when the forwarded one is not among `payloadTypes` (werift's rule: the first codec). */
  defaultPayloadType: number;
  /** Payload types the peer accepts on this m-line. */
  payloadTypes: readonly number[];
  /** RTP clock rate of the stream, for timestamp continuity and sender reports. */
  clockRate: number;
  /** Our m-line's mid and the negotiated id of the sdes:mid extension, when there is one. */
  mid?: { id: number; value: string };
  /** Keep sent packets to answer NACKs (video negotiates nack, audio does not). */
  retransmissions: boolean;
}

export class OutboundStream {
  readonly ssrc: number;
  readonly clockRate: number;
  /** Sender-report counters (RFC 3550 §6.4.1). */
  packetCount = 0;
  octetCount = 0;
  /** RTP timestamp of the last packet sent and when it left (performance.now() ms). */
  lastTimestamp = 0;
  lastSentMs = 0;
  retransmitted = 0;
  /** Generic NACKs received for this stream. */
  nacksReceived = 0;

  private readonly header: Buffer;
  private readonly headerLength: number;
  private readonly hasExtensions: boolean;
  private readonly allowedPt = new Uint8Array(128);
  private readonly defaultPt: number;
  private readonly ring: RetransmissionRing | undefined;
  /** The SSRC of the source currently forwarded, -1 before the first packet. */
  private sourceSsrc = -1;
  private seqOffset = 0;
  private timestampOffset = 0;
  private lastSeq = -1;

  constructor(
    config: OutboundStreamConfig,
    private readonly srtp: SrtpContext,
    private readonly transmit: (packet: Buffer) => void,
  ) {
    this.ssrc = config.ssrc >>> 0;
    this.clockRate = config.clockRate;
    this.defaultPt = config.defaultPayloadType & 0x7f;
    for (const pt of config.payloadTypes) this.allowedPt[pt & 0x7f] = 1;
    this.ring = config.retransmissions ? new RetransmissionRing() : undefined;
    // Our header extensions never change: write them once (one-byte form, RFC 8285 §4.2).
    const mid = config.mid && config.mid.id > 0 && config.mid.id < 15 && config.mid.value.length > 0 && config.mid.value.length <= 16 ? config.mid : undefined;
    const elements = mid ? 1 + Buffer.byteLength(mid.value) : 0;
    const extensionWords = Math.ceil(elements / 4);
    this.hasExtensions = extensionWords > 0;
    this.headerLength = RTP_FIXED_HEADER + (this.hasExtensions ? 4 + extensionWords * 4 : 0);
    this.header = Buffer.alloc(this.headerLength);
    this.header.writeUInt32BE(this.ssrc, 8);
    if (mid) {
      this.header.writeUInt16BE(0xbede, 12);
      this.header.writeUInt16BE(extensionWords, 14);
      const bytes = Buffer.from(mid.value, 'utf8');
      this.header[16] = (mid.id << 4) | (bytes.length - 1);
      bytes.copy(this.header, 17);
    }
  }

  /** Hot path: sends one plain RTP packet from a source; false when it is not RTP. */
  send(packet: Buffer, nowMs: number): boolean {
    const sourceHeader = rtpHeaderLength(packet);
    if (sourceHeader < 0) return false;
    const ssrc = packet.readUInt32BE(8);
    const seq = packet.readUInt16BE(2);
    const timestamp = packet.readUInt32BE(4);
    if (ssrc !== this.sourceSsrc) this.rebase(ssrc, seq, timestamp, nowMs);
    const outSeq = (seq + this.seqOffset) & 0xffff;
    const outTimestamp = (timestamp + this.timestampOffset) >>> 0;
    const pt = packet[1] ?? 0;
    const header = this.header;
    // Padding bit kept: the padding travels at the end of the payload.
    header[0] = 0x80 | ((packet[0] ?? 0) & 0x20) | (this.hasExtensions ? 0x10 : 0);
    header[1] = (pt & 0x80) | (this.allowedPt[pt & 0x7f] === 1 ? pt & 0x7f : this.defaultPt);
    header.writeUInt16BE(outSeq, 2);
    header.writeUInt32BE(outTimestamp, 4);
    const payload = packet.subarray(sourceHeader);
    const out = this.srtp.protect(header, this.headerLength, payload);
    this.transmit(out);
    this.ring?.put(outSeq, out, nowMs);
    if (this.lastSeq < 0 || ((outSeq - this.lastSeq) & 0xffff) < 0x8000) {
      this.lastSeq = outSeq;
      this.lastTimestamp = outTimestamp;
      this.lastSentMs = nowMs;
    }
    this.packetCount++;
    this.octetCount += payload.length;
    return true;
  }

  /** Answers a Generic NACK: resends the packets still held; returns how many. */
  retransmit(seqs: readonly number[], nowMs: number): number {
    this.nacksReceived++;
    if (!this.ring) return 0;
    let sent = 0;
    for (const seq of seqs) {
      const packet = this.ring.get(seq & 0xffff, nowMs);
      if (!packet) continue;
      this.transmit(packet);
      sent++;
    }
    this.retransmitted += sent;
    return sent;
  }

  /** RTP timestamp matching `nowMs`, extrapolated from the last packet (for sender reports). */
  timestampAt(nowMs: number): number {
    return (this.lastTimestamp + Math.round(((nowMs - this.lastSentMs) * this.clockRate) / 1000)) >>> 0;
  }

  /**
   * A new source (or the first): continue our sequence and timestamp spaces where they stopped,
   * so the peer sees one stream and not a jump it might take for loss or a clock reset.
   */
  private rebase(ssrc: number, seq: number, timestamp: number, nowMs: number): void {
    if (this.sourceSsrc !== -1 && this.lastSeq >= 0) {
      this.seqOffset = (this.lastSeq + 1 - seq) & 0xffff;
      const elapsed = Math.max(1, Math.round(((nowMs - this.lastSentMs) * this.clockRate) / 1000));
      this.timestampOffset = (this.lastTimestamp + elapsed - timestamp) >>> 0;
    }
    this.sourceSsrc = ssrc;
  }
}
