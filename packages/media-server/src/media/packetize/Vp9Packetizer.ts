/**
 * VP9 over RTP (RFC 9628 §4.2), one spatial layer, non-flexible mode: a descriptor with a
 * 15-bit picture id, P for inter frames, B and E on the first and last packet of the frame, and
 * on a key frame's first packet a scalability structure with the picture size (V=1, Y=1).
 */
import type { PictureSize } from '../bitstream/vpx.js';
import { vp9KeyframeInfo } from '../bitstream/vpx.js';
import { type FramePacketizer, type PacketHandler, PLAYER_MTU, RTP_HEADER_BYTES, type RtpHeaderWriter } from './RtpPacketizer.js';

const BASE_DESCRIPTOR = 3;
const SCALABILITY_STRUCTURE = 5;

/** VP9 frames into RTP. */
export class Vp9Packetizer implements FramePacketizer {
  /** The picture id of the next frame. */
  #pictureId = Math.floor(Math.random() * 0x8000);
  /** The size of the last key frame (repeated in each key frame's scalability structure). */
  #size: PictureSize | undefined;

  constructor(private readonly header: RtpHeaderWriter) {}

  packetize(frame: Uint8Array, keyframe: boolean, timestamp: number, send: PacketHandler): void {
    if (keyframe) this.#size = vp9KeyframeInfo(frame) ?? this.#size;
    const withSs = keyframe && this.#size !== undefined;
    for (let offset = 0; offset < frame.length; ) {
      const first = offset === 0;
      const descriptor = BASE_DESCRIPTOR + (first && withSs ? SCALABILITY_STRUCTURE : 0);
      const size = Math.min(PLAYER_MTU - RTP_HEADER_BYTES - descriptor, frame.length - offset);
      const last = offset + size >= frame.length;
      const packet = this.header.packet(descriptor + size, timestamp, last);
      let at = RTP_HEADER_BYTES;
      packet[at++] = 0x80 | (keyframe ? 0 : 0x40) | (first ? 0x08 : 0) | (last ? 0x04 : 0) | (first && withSs ? 0x02 : 0);
      packet[at++] = 0x80 | (this.#pictureId >> 8);
      packet[at++] = this.#pictureId & 0xff;
      if (first && withSs && this.#size) {
        packet[at++] = 0x10; // one spatial layer, Y=1 (its size follows), G=0
        packet.writeUInt16BE(this.#size.width, at);
        packet.writeUInt16BE(this.#size.height, at + 2);
        at += 4;
      }
      packet.set(frame.subarray(offset, offset + size), at);
      send(packet);
      offset += size;
    }
    this.#pictureId = (this.#pictureId + 1) & 0x7fff;
  }
}
