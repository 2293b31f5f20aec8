/**
 * AAC over RTP as RFC 3640 mpeg4-generic in AAC-hbr mode (sizelength 13, indexlength 3): what
 * GStreamer's rtpmp4gdepay, ffmpeg and Kurento read, and what the processing backend decodes to
 * transcode a file's AAC to Opus for WebRTC. One access unit per packet, its AU header giving
 * its size; an AU larger than the MTU is sent as fragments, each with the same header (§3.2.3.2),
 * the marker on the last.
 */
import { type FramePacketizer, type PacketHandler, PLAYER_MTU, RTP_HEADER_BYTES, type RtpHeaderWriter } from './RtpPacketizer.js';

/** The AU-headers-length field and one 16-bit AU header. */
const AU_HEADER_SECTION_BYTES = 4;
/** The largest AU size a 13-bit size field holds. */
const MAX_AU_BYTES = (1 << 13) - 1;

/** The fmtp parameters of this packetization, with the stream's AudioSpecificConfig. */
export function aacHbrParameters(audioSpecificConfig: Uint8Array): Record<string, string> {
  return {
    streamtype: '5',
    'profile-level-id': '1',
    mode: 'AAC-hbr',
    sizelength: '13',
    indexlength: '3',
    indexdeltalength: '3',
    config: Buffer.from(audioSpecificConfig).toString('hex'),
  };
}

/** AAC access units into RTP. */
export class AacPacketizer implements FramePacketizer {
  constructor(private readonly header: RtpHeaderWriter) {}

  packetize(frame: Uint8Array, _keyframe: boolean, timestamp: number, send: PacketHandler): void {
    if (frame.length > MAX_AU_BYTES) return; // not AAC as any encoder writes it: a 13-bit size cannot carry it
    const room = PLAYER_MTU - RTP_HEADER_BYTES - AU_HEADER_SECTION_BYTES;
    for (let offset = 0; offset < frame.length || offset === 0; offset += room) {
      const end = Math.min(frame.length, offset + room);
      const packet = this.header.packet(AU_HEADER_SECTION_BYTES + end - offset, timestamp, end === frame.length);
      packet.writeUInt16BE(16, RTP_HEADER_BYTES); // bits of AU headers: one
      packet.writeUInt16BE((frame.length << 3) & 0xffff, RTP_HEADER_BYTES + 2); // size; index 0
      packet.set(frame.subarray(offset, end), RTP_HEADER_BYTES + AU_HEADER_SECTION_BYTES);
      send(packet);
      if (frame.length === 0) break;
    }
  }
}
