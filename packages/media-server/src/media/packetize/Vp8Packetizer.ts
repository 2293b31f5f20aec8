/**
 * VP8 over RTP (RFC 7741 §4.2): a 4-byte payload descriptor (X=1, S on the first packet of the
 * frame, PID 0; I=1 with a 15-bit PictureID that counts frames), then the frame cut to the MTU.
 */
import { type FramePacketizer, type PacketHandler, PLAYER_MTU, RTP_HEADER_BYTES, type RtpHeaderWriter } from './RtpPacketizer.js';

const DESCRIPTOR_BYTES = 4;

/** VP8 frames into RTP. */
export class Vp8Packetizer implements FramePacketizer {
  /** The PictureID of the next frame. */
  #pictureId = Math.floor(Math.random() * 0x8000);

  constructor(private readonly header: RtpHeaderWriter) {}

  packetize(frame: Uint8Array, _keyframe: boolean, timestamp: number, send: PacketHandler): void {
    const room = PLAYER_MTU - RTP_HEADER_BYTES - DESCRIPTOR_BYTES;
    for (let offset = 0; offset < frame.length; offset += room) {
      const size = Math.min(room, frame.length - offset);
      const last = offset + size >= frame.length;
      const packet = this.header.packet(DESCRIPTOR_BYTES + size, timestamp, last);
      packet[12] = 0x80 | (offset === 0 ? 0x10 : 0);
      packet[13] = 0x80;
      packet[14] = 0x80 | (this.#pictureId >> 8);
      packet[15] = this.#pictureId & 0xff;
      packet.set(frame.subarray(offset, offset + size), RTP_HEADER_BYTES + DESCRIPTOR_BYTES);
      send(packet);
    }
    this.#pictureId = (this.#pictureId + 1) & 0x7fff;
  }
}
