/**
 * RTP packets of our own for the player (RFC 3550 §5.1): a fixed 12-byte header with the
 * stream's SSRC, payload type and running sequence number, payloads cut to fit an MTU.
 * One Buffer per packet: the graph hands it to sinks that send it asynchronously.
 */

/** Largest RTP packet the player sends, header included (leaves room for SRTP and extensions). */
export const PLAYER_MTU = 1200;
/** Bytes of the fixed RTP header. */
export const RTP_HEADER_BYTES = 12;

/** Receives each packet made. */
export type PacketHandler = (packet: Buffer) => void;

/** Writes RTP headers for one stream. */
export class RtpHeaderWriter {
  /** The next sequence number. */
  #seq: number;

  constructor(
    /** The stream's SSRC. */
    readonly ssrc: number,
    /** Its payload type. */
    readonly payloadType: number,
    initialSequence: number = Math.floor(Math.random() * 0x10000),
  ) {
    this.#seq = initialSequence & 0xffff;
  }

  /** A packet of `payloadBytes` after the header (to be filled by the caller from offset 12). */
  packet(payloadBytes: number, timestamp: number, marker: boolean): Buffer {
    const out = Buffer.allocUnsafe(RTP_HEADER_BYTES + payloadBytes);
    out[0] = 0x80;
    out[1] = (marker ? 0x80 : 0) | (this.payloadType & 0x7f);
    out.writeUInt16BE(this.#seq, 2);
    out.writeUInt32BE(timestamp >>> 0, 4);
    out.writeUInt32BE(this.ssrc >>> 0, 8);
    this.#seq = (this.#seq + 1) & 0xffff;
    return out;
  }
}

/** Cuts one encoded frame into RTP packets. */
export interface FramePacketizer {
  /** Sends the packets of one frame, the marker on the last. */
  packetize(frame: Uint8Array, keyframe: boolean, timestamp: number, send: PacketHandler): void;
}
