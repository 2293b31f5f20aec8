/** Opus over RTP (RFC 7587 §4.2): one Opus packet per RTP packet, the marker unset. */
import { type FramePacketizer, type PacketHandler, RTP_HEADER_BYTES, type RtpHeaderWriter } from './RtpPacketizer.js';

/** Opus packets into RTP. */
export class OpusPacketizer implements FramePacketizer {
  constructor(private readonly header: RtpHeaderWriter) {}

  packetize(frame: Uint8Array, _keyframe: boolean, timestamp: number, send: PacketHandler): void {
    const packet = this.header.packet(frame.length, timestamp, false);
    packet.set(frame, RTP_HEADER_BYTES);
    send(packet);
  }
}
