/**
 * The periodic RTCP of a fast-path transport (RFC 3550 §6.4): one compound packet with a sender
 * report per stream we send (the first carrying the report blocks of the streams we receive), a
 * receiver report when we send nothing, and an SDES CNAME. werift produced these from its
 * sender and receiver objects, which the fast path no longer feeds.
 */
import type { OutboundStream } from './OutboundStream.js';
import { REPORT_BLOCK_BYTES, type ReceptionStats } from './ReceptionStats.js';
import { RtcpType } from './rtcpTypes.js';

/** Seconds from 1900 (NTP) to 1970 (Unix). */
const NTP_EPOCH_OFFSET = 2_208_988_800;
const MAX_BLOCKS = 31;

/** Builds one compound RTCP packet; undefined when there is nothing to report. */
export function buildReports(
  outbound: readonly OutboundStream[],
  inbound: readonly ReceptionStats[],
  /** SSRC for a receiver report when nothing is sent. */
  receiverSsrc: number,
  cname: string,
  nowMs: number,
  wallMs: number,
): Buffer | undefined {
  if (outbound.length === 0 && inbound.length === 0) return undefined;
  const blocks = inbound.slice(0, MAX_BLOCKS);
  const parts: Buffer[] = [];
  const seconds = Math.floor(wallMs / 1000);
  const ntpHigh = (seconds + NTP_EPOCH_OFFSET) >>> 0;
  const ntpLow = Math.floor(((wallMs % 1000) / 1000) * 0x100000000) >>> 0;
  outbound.forEach((stream, i) => {
    const withBlocks = i === 0 ? blocks : [];
    const packet = Buffer.alloc(28 + withBlocks.length * REPORT_BLOCK_BYTES);
    packet[0] = 0x80 | withBlocks.length;
    packet[1] = RtcpType.SR;
    packet.writeUInt16BE(packet.length / 4 - 1, 2);
    packet.writeUInt32BE(stream.ssrc, 4);
    packet.writeUInt32BE(ntpHigh, 8);
    packet.writeUInt32BE(ntpLow, 12);
    packet.writeUInt32BE(stream.timestampAt(nowMs), 16);
    packet.writeUInt32BE(stream.packetCount >>> 0, 20);
    packet.writeUInt32BE(stream.octetCount >>> 0, 24);
    let offset = 28;
    for (const block of withBlocks) offset = block.writeBlock(packet, offset, nowMs);
    parts.push(packet);
  });
  if (outbound.length === 0) {
    const packet = Buffer.alloc(8 + blocks.length * REPORT_BLOCK_BYTES);
    packet[0] = 0x80 | blocks.length;
    packet[1] = RtcpType.RR;
    packet.writeUInt16BE(packet.length / 4 - 1, 2);
    packet.writeUInt32BE(receiverSsrc >>> 0, 4);
    let offset = 8;
    for (const block of blocks) offset = block.writeBlock(packet, offset, nowMs);
    parts.push(packet);
  }
  const reporter = outbound[0]?.ssrc ?? receiverSsrc;
  parts.push(sdesCname(reporter, cname));
  return Buffer.concat(parts);
}

/** One SDES chunk with a CNAME item (RFC 3550 §6.5). */
function sdesCname(ssrc: number, cname: string): Buffer {
  const text = Buffer.from(cname.slice(0, 255), 'utf8').subarray(0, 255);
  // ssrc, CNAME type + length + text, then a null item ending the chunk, padded to 32 bits.
  const chunk = 4 + 2 + text.length + 1;
  const padded = Math.ceil(chunk / 4) * 4;
  const packet = Buffer.alloc(4 + padded);
  packet[0] = 0x81;
  packet[1] = RtcpType.SDES;
  packet.writeUInt16BE(packet.length / 4 - 1, 2);
  packet.writeUInt32BE(ssrc >>> 0, 4);
  packet[8] = 1;
  packet[9] = text.length;
  text.copy(packet, 10);
  return packet;
}
