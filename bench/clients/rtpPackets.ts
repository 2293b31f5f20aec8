/**
 * Synthetic RTP shaped like a browser's: header extensions as Chrome sends them (mid,
 * abs-send-time, transport-wide sequence number), a VP8 payload descriptor or an Opus-sized
 * payload, and a tag carrying the send time so the echo's latency can be read back. Neither
 * server decodes media, so the rest of the payload is filler.
 *
 * One writer owns one buffer that it rewrites for every packet: node-datachannel copies the
 * bytes synchronously in sendMessageBinary, so nothing is allocated per packet on the send side.
 */
import { randomFillSync } from 'node:crypto';

/** Header-extension ids this client offers; the servers echo them or map them, either is fine. */
export const EXTENSION_IDS = { mid: 4, absSendTime: 2, transportCc: 3 } as const;
export const EXTENSION_URIS = {
  mid: 'urn:ietf:params:rtp-hdrext:sdes:mid',
  absSendTime: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  transportCc: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
} as const;

const RTP_HEADER = 12;
/** 0xBEDE one-byte extension block: 4-byte header + mid (2) + abs-send-time (4) + tcc (3) + 3 pad. */
const EXTENSION_BLOCK = 16;
const PAYLOAD_OFFSET = RTP_HEADER + EXTENSION_BLOCK;
/** The tag sits after the codec's first bytes (VP8 descriptor + payload header) in the payload. */
const TAG_OFFSET_IN_PAYLOAD = 4;
const TAG_MAGIC = 0x4b42454e; // "KBEN"
const TAG_BYTES = 16; // magic u32, send time f64 (ms, performance.now()), session u32

export interface RtpWriterOptions {
  payloadType: number;
  /** Whole packet size in bytes (header, extensions and payload) before SRTP. */
  packetBytes: number;
  /** The m-line's mid, one character (this client uses "0" and "1"). */
  mid: string;
  kind: 'audio' | 'video';
}

export interface PacketFields {
  ssrc: number;
  sequence: number;
  timestamp: number;
  marker: boolean;
  /** Transport-wide sequence number (shared by a session's audio and video). */
  transportSequence: number;
  /** First packet of a video frame (VP8 descriptor S bit). */
  frameStart: boolean;
  /** The frame is a keyframe (VP8 payload header P bit clear), as a browser's first frame and its answer to a PLI are. */
  keyframe: boolean;
  sendTimeMs: number;
  session: number;
}

export class RtpWriter {
  private readonly buffer: Buffer;

  constructor(private readonly options: RtpWriterOptions) {
    if (options.mid.length !== 1) throw new RangeError('mid must be one character');
    if (options.packetBytes < PAYLOAD_OFFSET + TAG_OFFSET_IN_PAYLOAD + TAG_BYTES) throw new RangeError(`packets need at least ${PAYLOAD_OFFSET + TAG_OFFSET_IN_PAYLOAD + TAG_BYTES} bytes`);
    const b = Buffer.alloc(options.packetBytes);
    randomFillSync(b, PAYLOAD_OFFSET); // filler, written once
    b[0] = 0x90; // version 2, extension bit
    b.writeUInt16BE(0xbede, RTP_HEADER);
    b.writeUInt16BE((EXTENSION_BLOCK - 4) / 4, RTP_HEADER + 2);
    let o = RTP_HEADER + 4;
    b[o++] = (EXTENSION_IDS.mid << 4) | 0;
    b[o++] = options.mid.charCodeAt(0);
    b[o++] = (EXTENSION_IDS.absSendTime << 4) | 2;
    o += 3;
    b[o++] = (EXTENSION_IDS.transportCc << 4) | 1;
    o += 2;
    b.fill(0, o, PAYLOAD_OFFSET);
    // Opus TOC byte: SILK-only wideband 20 ms, mono, one frame. VP8 bytes are set per packet.
    if (options.kind === 'audio') b[PAYLOAD_OFFSET] = 0x48;
    b.writeUInt32BE(TAG_MAGIC, PAYLOAD_OFFSET + TAG_OFFSET_IN_PAYLOAD);
    this.buffer = b;
  }

  /** Writes one packet's fields into the shared buffer and returns it (valid until the next call). */
  write(f: PacketFields): Buffer {
    const b = this.buffer;
    b[1] = (f.marker ? 0x80 : 0) | this.options.payloadType;
    b.writeUInt16BE(f.sequence & 0xffff, 2);
    b.writeUInt32BE(f.timestamp >>> 0, 4);
    b.writeUInt32BE(f.ssrc >>> 0, 8);
    // abs-send-time: 6.18 fixed-point seconds, 24 bits.
    const abs = Math.floor((f.sendTimeMs / 1000) * 262144) & 0xffffff;
    const absAt = RTP_HEADER + 4 + 3;
    b[absAt] = abs >>> 16;
    b[absAt + 1] = (abs >>> 8) & 0xff;
    b[absAt + 2] = abs & 0xff;
    b.writeUInt16BE(f.transportSequence & 0xffff, RTP_HEADER + 4 + 7);
    if (this.options.kind === 'video') {
      // VP8 payload descriptor (RFC 7741): S bit on a frame's first packet; then the payload
      // header's P bit: clear for a keyframe, set for an inter frame. Servers that wait for a
      // keyframe before forwarding a new stream (ours does) see one where a browser would send it.
      b[PAYLOAD_OFFSET] = f.frameStart ? 0x10 : 0x00;
      b[PAYLOAD_OFFSET + 1] = f.keyframe ? 0x00 : 0x01;
    }
    b.writeDoubleLE(f.sendTimeMs, PAYLOAD_OFFSET + TAG_OFFSET_IN_PAYLOAD + 4);
    b.writeUInt32LE(f.session >>> 0, PAYLOAD_OFFSET + TAG_OFFSET_IN_PAYLOAD + 12);
    return b;
  }
}

/** Whether an RTCP compound packet asks for a keyframe (PLI or FIR: payload-specific feedback, RFC 4585 §6.3.1, RFC 5104 §4.3.1). */
export function asksForKeyframe(packet: Buffer): boolean {
  for (let o = 0; o + 4 <= packet.length; o += 4 * ((packet.readUInt16BE(o + 2) ?? 0) + 1)) {
    const fmt = (packet[o] ?? 0) & 0x1f;
    if (packet[o + 1] === 206 && (fmt === 1 || fmt === 4)) return true;
  }
  return false;
}

/** True for RTCP on a muxed port (RFC 5761: packet types 192..223 in the second byte). */
export function isRtcp(packet: Buffer): boolean {
  const pt = packet[1] ?? 0;
  return pt >= 192 && pt <= 223;
}

/**
 * Where the bench tag starts in an echoed RTP packet, or -1 when the packet carries none. Servers
 * rewrite headers and extensions, so the payload is found by parsing the header, not assumed.
 */
export function tagOffset(packet: Buffer): number {
  const first = packet[0] ?? 0;
  let offset = RTP_HEADER + 4 * (first & 0x0f);
  if ((first & 0x10) !== 0) {
    if (packet.length < offset + 4) return -1;
    offset += 4 + 4 * packet.readUInt16BE(offset + 2);
  }
  offset += TAG_OFFSET_IN_PAYLOAD;
  if (packet.length < offset + TAG_BYTES || packet.readUInt32BE(offset) !== TAG_MAGIC) return -1;
  return offset;
}

/** The send time in a tag found by `tagOffset`. */
export function tagSendTime(packet: Buffer, offset: number): number {
  return packet.readDoubleLE(offset + 4);
}

/** The session index in a tag found by `tagOffset`. */
export function tagSession(packet: Buffer, offset: number): number {
  return packet.readUInt32LE(offset + 12);
}
