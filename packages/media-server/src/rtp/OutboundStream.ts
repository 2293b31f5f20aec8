/**
 * One RTP stream we send to a peer (one per media kind of a transport), on the fast path: it
 * rewrites the forwarded packet's header into the stream the peer negotiated (our SSRC, the
 * peer's payload type for the source's codec, one sequence and timestamp space across source
 * changes, our header extensions), protects it, sends it, and keeps it for NACKs. It also keeps
 * the counters an RTCP sender report needs.
 *
 * A new source (another SSRC) or a new codec starts only at a keyframe, asked for at once: the
 * peer's decoder never sees delta frames it has no reference for. VP8 picture ids (and
 * TL0PICIDX) continue across a change of source, as sequence numbers and timestamps do.
 */
import { keyframeTest, vp8DescriptorLength, type KeyframeTest } from './keyframes.js';
import { codecName } from './codecs.js';
import { RetransmissionRing } from './RetransmissionRing.js';
import { RTP_FIXED_HEADER, rtpHeaderLength } from './rtpHeader.js';
import type { RtpCodec } from '../types/media.js';
import type { LaneScope } from './lanes.js';
import { OutboundCell, type LaneSinkBooks } from '@kurento-ts/native';

/** What protects a packet before it leaves: an SrtpContext, or nothing for plain RTP. */
export interface RtpProtector {
  /** The wire bytes of the packet whose header is `header[0, headerLength)` and payload `payloadPrefix` then `payload`; a new buffer. */
  protect(header: Buffer, headerLength: number, payload: Buffer, payloadPrefix?: Buffer): Buffer;
}

/** Plain RTP (no SRTP): the packet's bytes, concatenated into a buffer of its own. */
export const PLAIN_RTP: RtpProtector = {
  protect(header, headerLength, payload, payloadPrefix) {
    const prefixLength = payloadPrefix?.length ?? 0;
    const out = Buffer.allocUnsafe(headerLength + prefixLength + payload.length);
    header.copy(out, 0, 0, headerLength);
    payloadPrefix?.copy(out, headerLength);
    payload.copy(out, headerLength + prefixLength);
    return out;
  },
};

/** What the peer negotiated for this stream. */
export interface OutboundStreamConfig {
  ssrc: number;
  /** RTP clock rate of the stream, for timestamp continuity and sender reports. */
  clockRate: number;
  /** Our m-line's mid and the negotiated id of the sdes:mid extension, when there is one. */
  mid?: { id: number; value: string };
  /** Keep sent packets to answer NACKs (video negotiates nack, audio does not). */
  retransmissions: boolean;
  /** The forwarding lanes that may send as this stream, stopped when its route or source changes; none (plain RTP) when absent. */
  lanes?: LaneScope;
}

/** How forwarded packets become this stream: set by the graph's edge into the endpoint. */
export interface SendRoute {
  /** Source payload type → the peer's payload type for the same codec; negative: not sent. */
  readonly payloadMap: Int16Array;
  /** The peer's codecs, by which keyframes are recognised. */
  readonly codecs: readonly RtpCodec[];
}

/**
 * While waiting for a keyframe, ask again this often: senders lose requests (Chromium 156 let
 * two PLIs of three, 300 ms apart, pass without a keyframe), and the source's coalescing keeps
 * the requests of every waiting sink to one per 300 ms anyway (graph/KeyframeRequests.ts).
 */
const KEYFRAME_RETRY_MS = 300;

export class OutboundStream {
  readonly ssrc: number;
  readonly clockRate: number;
  /**
   * What every packet sent changes (sender-report counters, the last packet, VP8 picture id
   * continuity), in a ledger a forwarding lane books in C as laneSent does (@kurento-ts/native's ledgers).
   */
  readonly cells = outboundCells();
  retransmitted = 0;
  /** Generic NACKs received for this stream. */
  nacksReceived = 0;
  /** Packets not sent: no route or a payload type the peer did not negotiate, and while waiting for a keyframe. */
  readonly dropped = { unrouted: 0, waitingForKeyframe: 0 };

  private readonly header: Buffer;
  private readonly headerLength: number;
  private readonly hasExtensions: boolean;
  private readonly ring: RetransmissionRing | undefined;
  /** The lanes that may send as this stream (see OutboundStreamConfig.lanes). */
  private readonly lanes: LaneScope | undefined;
  /** Source payload type → ours; all negative until routed. */
  private payloadMap: Int16Array = new Int16Array(128).fill(-1);
  /** Keyframe test per outgoing payload type (video codecs that have one). */
  private readonly keyframes: (KeyframeTest | undefined)[] = new Array<KeyframeTest | undefined>(128).fill(undefined);
  /** Outgoing payload types that are VP8 (picture ids rewritten across sources). */
  private readonly vp8 = new Uint8Array(128);
  /** The SSRC and outgoing payload type of the stream forwarded now; -1 before the first. */
  private sourceSsrc = -1;
  private currentPt = -1;
  /** When we last asked for the keyframe we wait for; -Infinity when not waiting. */
  private waitingSinceMs = -Infinity;
  private seqOffset = 0;
  private timestampOffset = 0;
  /** VP8 picture id and TL0PICIDX continuity (RFC 7741 §4.2), -1 until a packet carried one. */
  private readonly picture = new PictureContinuity(this.cells);
  /** Scratch for a rewritten VP8 payload descriptor (at most 6 bytes), and what vp8PictureIds read. */
  private readonly descriptor = Buffer.alloc(6);
  private readonly vp8Ids = { length: 0, long: false, tl0At: 0, outPic: -1, outTl0: -1 };

  constructor(
    config: OutboundStreamConfig,
    private readonly srtp: RtpProtector,
    private readonly transmit: (packet: Buffer) => void,
    /** The stream waits for a keyframe from its source: ask upstream for one. */
    private readonly keyframeNeeded: () => void = () => undefined,
  ) {
    this.ssrc = config.ssrc >>> 0;
    this.clockRate = config.clockRate;
    this.lanes = config.lanes;
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

  /** Sender-report counters (RFC 3550 §6.4.1). */
  get packetCount(): number {
    return this.cells[OutboundCell.packetCount] ?? 0;
  }

  get octetCount(): number {
    return this.cells[OutboundCell.octetCount] ?? 0;
  }

  /** RTP timestamp of the last packet sent and when it left (performance.now() ms). */
  get lastTimestamp(): number {
    return this.cells[OutboundCell.lastTimestamp] ?? 0;
  }

  get lastSentMs(): number {
    return this.cells[OutboundCell.lastSentMs] ?? 0;
  }

  private get lastSeq(): number {
    return this.cells[OutboundCell.lastSeq] ?? -1;
  }

  /** Sets how forwarded packets map onto this stream (undefined: nothing is sent). */
  route(route: SendRoute | undefined): void {
    this.lanes?.invalidate();
    this.payloadMap = route?.payloadMap ?? new Int16Array(128).fill(-1);
    this.keyframes.fill(undefined);
    this.vp8.fill(0);
    for (const codec of route?.codecs ?? []) {
      const name = codecName(codec);
      this.keyframes[codec.payloadType & 0x7f] = keyframeTest(name);
      if (name === 'VP8') this.vp8[codec.payloadType & 0x7f] = 1;
    }
  }

  /** Hot path: sends one plain RTP packet from a source; false when it was not sent. */
  send(packet: Buffer, nowMs: number): boolean {
    const sourceHeader = rtpHeaderLength(packet);
    if (sourceHeader < 0) return false;
    const outPt = this.payloadMap[(packet[1] ?? 0) & 0x7f] ?? -1;
    if (outPt < 0) {
      this.dropped.unrouted++;
      return false;
    }
    const ssrc = packet.readUInt32BE(8);
    if ((ssrc !== this.sourceSsrc || outPt !== this.currentPt) && !this.startStream(packet, sourceHeader, ssrc, outPt, nowMs)) {
      this.dropped.waitingForKeyframe++;
      return false;
    }
    const outSeq = (packet.readUInt16BE(2) + this.seqOffset) & 0xffff;
    const outTimestamp = (packet.readUInt32BE(4) + this.timestampOffset) >>> 0;
    const header = this.header;
    // Padding bit kept: the padding travels at the end of the payload.
    header[0] = 0x80 | ((packet[0] ?? 0) & 0x20) | (this.hasExtensions ? 0x10 : 0);
    header[1] = ((packet[1] ?? 0) & 0x80) | outPt;
    header.writeUInt16BE(outSeq, 2);
    header.writeUInt32BE(outTimestamp, 4);
    const payload = packet.subarray(sourceHeader);
    const out = this.vp8[outPt] === 1 ? this.protectVp8(payload) : this.srtp.protect(header, this.headerLength, payload);
    this.transmit(out);
    this.sent(outSeq, outTimestamp, out, payload.length, nowMs);
    return true;
  }

  /** What every packet sent leaves behind: its copy for NACKs, the sender-report counters. */
  private sent(outSeq: number, outTimestamp: number, out: Buffer, payloadLength: number, nowMs: number): void {
    this.ring?.put(outSeq, out, nowMs);
    const cells = this.cells;
    const lastSeq = cells[OutboundCell.lastSeq] ?? -1;
    if (lastSeq < 0 || ((outSeq - lastSeq) & 0xffff) < 0x8000) {
      cells[OutboundCell.lastSeq] = outSeq;
      cells[OutboundCell.lastTimestamp] = outTimestamp;
      cells[OutboundCell.lastSentMs] = nowMs;
    }
    cells[OutboundCell.packetCount] = (cells[OutboundCell.packetCount] ?? 0) + 1;
    cells[OutboundCell.octetCount] = (cells[OutboundCell.octetCount] ?? 0) + payloadLength;
  }

  /**
   * How a forwarding lane makes this stream of packets of `ssrc` under source payload type `pt`,
   * when `send` would treat the next one as it treated the last: the stream forwards that source
   * and codec, waits for nothing, and rewrites no VP8 picture ids. Undefined otherwise.
   */
  laneHeader(ssrc: number, pt: number): { header: Buffer; payloadType: number; seqOffset: number; timestampOffset: number } | undefined {
    const outPt = this.payloadMap[pt & 0x7f] ?? -1;
    if (outPt < 0 || ssrc >>> 0 !== this.sourceSsrc || outPt !== this.currentPt || this.waitingSinceMs !== -Infinity) return undefined;
    const picture = this.picture;
    // Fresh (a source whose ids were not seen yet) is the lane's only while no ids were sent before: they then start at offset 0.
    const idsMoved = picture.offset !== 0 || picture.tl0Offset !== 0 || (picture.fresh && (picture.last >= 0 || picture.lastTl0 >= 0));
    if (this.vp8[outPt] === 1 && idsMoved) return undefined;
    const header = Buffer.from(this.header.subarray(0, this.headerLength));
    header[0] = 0x80 | (this.hasExtensions ? 0x10 : 0);
    return { header, payloadType: outPt, seqOffset: this.seqOffset, timestampOffset: this.timestampOffset };
  }

  /**
   * What laneSent changes, for a forwarding lane to book in C: this stream's ledger, whether
   * picture ids are followed, its ring's (undefined when the ring has no slab yet).
   */
  laneLedgers(): Pick<LaneSinkBooks, 'outbound' | 'vp8' | 'ring'> | undefined {
    const ring = this.ring;
    const slab = ring?.slab;
    if (ring && !slab) return undefined;
    return { outbound: this.cells, vp8: this.vp8[this.currentPt] === 1, ring: ring && slab && { cells: ring.cells, slots: ring.slotBuffer, slab } };
  }

  /** Books a packet a lane sent as `send` would have: `out` protected, `plain` the source's packet. */
  laneSent(out: Buffer, payloadLength: number, plain: Buffer, headerLength: number, nowMs: number): void {
    const outSeq = out.readUInt16BE(2);
    const outTimestamp = out.readUInt32BE(4);
    if (this.vp8[this.currentPt] === 1) this.vp8PictureIds(plain.subarray(headerLength));
    this.sent(outSeq, outTimestamp, out, payloadLength, nowMs);
  }

  /** The peer's reports measured this round-trip time (seconds): retransmissions are kept for what it needs. */
  roundTrip(seconds: number): void {
    this.ring?.keepFor(seconds);
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
   * A packet of another source or codec than the one forwarded so far: it starts the new stream
   * if it can (audio, or a video keyframe start); otherwise the stream waits, asking for a keyframe.
   */
  private startStream(packet: Buffer, sourceHeader: number, ssrc: number, outPt: number, nowMs: number): boolean {
    const test = this.keyframes[outPt];
    if (test !== undefined && !test(packet.subarray(sourceHeader))) {
      if (nowMs - this.waitingSinceMs >= KEYFRAME_RETRY_MS) {
        this.waitingSinceMs = nowMs;
        this.keyframeNeeded();
      }
      return false;
    }
    this.waitingSinceMs = -Infinity;
    if (ssrc !== this.sourceSsrc) this.rebase(ssrc, packet.readUInt16BE(2), packet.readUInt32BE(4), nowMs);
    this.currentPt = outPt;
    return true;
  }

  /**
   * A new source (or the first): continue our sequence and timestamp spaces where they stopped,
   * so the peer sees one stream and not a jump it might take for loss or a clock reset.
   */
  private rebase(ssrc: number, seq: number, timestamp: number, nowMs: number): void {
    this.lanes?.invalidate();
    if (this.sourceSsrc !== -1 && this.lastSeq >= 0) {
      this.seqOffset = (this.lastSeq + 1 - seq) & 0xffff;
      const elapsed = Math.max(1, Math.round(((nowMs - this.lastSentMs) * this.clockRate) / 1000));
      this.timestampOffset = (this.lastTimestamp + elapsed - timestamp) >>> 0;
    }
    this.sourceSsrc = ssrc;
    this.picture.fresh = true;
  }

  /**
   * Protects a VP8 packet, with its picture id and TL0PICIDX moved into our continuous space when
   * the source changed since the stream began (the descriptor is rewritten in a scratch copy: the
   * forwarded packet is shared with other sinks).
   */
  private protectVp8(payload: Buffer): Buffer {
    if (!this.vp8PictureIds(payload)) return this.srtp.protect(this.header, this.headerLength, payload);
    const ids = this.vp8Ids;
    const descriptor = this.descriptor.subarray(0, ids.length);
    payload.copy(descriptor, 0, 0, ids.length);
    if (ids.outPic >= 0) {
      if (ids.long) descriptor.writeUInt16BE(0x8000 | ids.outPic, 2);
      else descriptor[2] = ids.outPic;
    }
    if (ids.outTl0 >= 0) descriptor[ids.tl0At] = ids.outTl0;
    return this.srtp.protect(this.header, this.headerLength, payload.subarray(ids.length), descriptor);
  }

  /**
   * Reads a VP8 payload's picture id and TL0PICIDX and moves them into our continuous space (in
   * `vp8Ids`); true when they change and the descriptor must be rewritten.
   */
  private vp8PictureIds(payload: Buffer): boolean {
    const length = vp8DescriptorLength(payload);
    const b0 = payload[0] ?? 0;
    const x = length >= 2 && (b0 & 0x80) !== 0 ? (payload[1] ?? 0) : 0;
    if (length < 0 || (x & 0xc0) === 0) return false;
    const picture = this.picture;
    const long = (x & 0x80) !== 0 && ((payload[2] ?? 0) & 0x80) !== 0;
    const mask = long ? 0x7fff : 0x7f;
    const tl0At = 2 + ((x & 0x80) !== 0 ? (long ? 2 : 1) : 0);
    const pic = (x & 0x80) === 0 ? -1 : long ? payload.readUInt16BE(2) & 0x7fff : (payload[2] ?? 0) & 0x7f;
    const tl0 = (x & 0x40) === 0 ? -1 : (payload[tl0At] ?? 0);
    if (picture.fresh) {
      // First packet of a source: its ids continue ours (the first source keeps its own).
      picture.fresh = false;
      if (pic >= 0) picture.offset = picture.last >= 0 ? (picture.last + 1 - pic) & mask : 0;
      if (tl0 >= 0) picture.tl0Offset = picture.lastTl0 >= 0 ? (picture.lastTl0 + 1 - tl0) & 0xff : 0;
    }
    const outPic = pic >= 0 ? (pic + picture.offset) & mask : -1;
    const outTl0 = tl0 >= 0 ? (tl0 + picture.tl0Offset) & 0xff : -1;
    if (outPic >= 0) picture.last = outPic;
    if (outTl0 >= 0) picture.lastTl0 = outTl0;
    const ids = this.vp8Ids;
    ids.length = length;
    ids.long = long;
    ids.tl0At = tl0At;
    ids.outPic = outPic;
    ids.outTl0 = outTl0;
    return outPic !== pic || outTl0 !== tl0;
  }
}

function outboundCells(): Float64Array {
  const cells = new Float64Array(OutboundCell.size);
  cells[OutboundCell.lastSeq] = -1;
  cells[OutboundCell.pictureLast] = -1;
  cells[OutboundCell.pictureLastTl0] = -1;
  return cells;
}

/** An outbound stream's VP8 picture id continuity, in its ledger. */
class PictureContinuity {
  constructor(private readonly cells: Float64Array) {}

  /** The last picture id and TL0PICIDX sent, -1 before one. */
  get last(): number {
    return this.cells[OutboundCell.pictureLast] ?? -1;
  }

  set last(value: number) {
    this.cells[OutboundCell.pictureLast] = value;
  }

  get lastTl0(): number {
    return this.cells[OutboundCell.pictureLastTl0] ?? -1;
  }

  set lastTl0(value: number) {
    this.cells[OutboundCell.pictureLastTl0] = value;
  }

  /** What the current source's ids are moved by. */
  get offset(): number {
    return this.cells[OutboundCell.pictureOffset] ?? 0;
  }

  set offset(value: number) {
    this.cells[OutboundCell.pictureOffset] = value;
  }

  get tl0Offset(): number {
    return this.cells[OutboundCell.pictureTl0Offset] ?? 0;
  }

  set tl0Offset(value: number) {
    this.cells[OutboundCell.pictureTl0Offset] = value;
  }

  /** A new source's ids were not seen yet. */
  get fresh(): boolean {
    return this.cells[OutboundCell.pictureFresh] === 1;
  }

  set fresh(value: boolean) {
    this.cells[OutboundCell.pictureFresh] = value ? 1 : 0;
  }
}
