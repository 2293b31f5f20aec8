/**
 * Reading RTP headers (RFC 3550 §5.1, header extensions RFC 8285) straight from a Buffer, for
 * the per-packet path: no objects, no copies.
 */

/** Fixed part of an RTP header. */
export const RTP_FIXED_HEADER = 12;

/**
 * Length of the RTP header (fixed part, CSRCs, extension block) of the packet in
 * `packet[0, end)`, or -1 when it is not a well-formed RTP version 2 header.
 */
export function rtpHeaderLength(packet: Buffer, end: number = packet.length): number {
  if (end < RTP_FIXED_HEADER || end > packet.length) return -1;
  const b0 = packet[0] ?? 0;
  if (b0 >> 6 !== 2) return -1;
  let length = RTP_FIXED_HEADER + (b0 & 0x0f) * 4;
  if (b0 & 0x10) {
    if (length + 4 > end) return -1;
    length += 4 + packet.readUInt16BE(length + 2) * 4;
  }
  return length <= end ? length : -1;
}

/** Payload bytes of a plain RTP packet (padding included), for flow accounting. */
export function rtpPayloadLength(packet: Buffer): number {
  const header = rtpHeaderLength(packet);
  return header < 0 ? 0 : packet.length - header;
}

/**
 * The 16-bit value of header extension `id` (one-byte or two-byte form) in a packet whose
 * header is `headerLength` long, or -1 when absent. Used for transport-wide sequence numbers.
 */
export function readExtensionU16(packet: Buffer, headerLength: number, id: number): number {
  const b0 = packet[0] ?? 0;
  if (!(b0 & 0x10) || id <= 0) return -1;
  const start = RTP_FIXED_HEADER + (b0 & 0x0f) * 4;
  const profile = packet.readUInt16BE(start);
  let i = start + 4;
  if (profile === 0xbede) {
    while (i < headerLength) {
      const byte = packet[i] ?? 0;
      if (byte === 0) {
        i++; // padding
        continue;
      }
      const elementId = byte >> 4;
      if (elementId === 15) return -1; // reserved: stop parsing (RFC 8285 §4.2)
      const length = (byte & 0x0f) + 1;
      if (elementId === id) return length >= 2 && i + 3 <= headerLength ? packet.readUInt16BE(i + 1) : -1;
      i += 1 + length;
    }
  } else if ((profile & 0xfff0) === 0x1000) {
    while (i + 1 < headerLength) {
      const elementId = packet[i] ?? 0;
      if (elementId === 0) {
        i++;
        continue;
      }
      const length = packet[i + 1] ?? 0;
      if (elementId === id) return length >= 2 && i + 4 <= headerLength ? packet.readUInt16BE(i + 2) : -1;
      i += 2 + length;
    }
  }
  return -1;
}
