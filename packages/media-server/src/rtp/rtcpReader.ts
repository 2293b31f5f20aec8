/**
 * Reads a plain (unprotected) compound RTCP packet into what an RTP session acts on: sender
 * reports (RFC 3550 §6.4.1), report blocks (§6.4.2: loss and round-trip time of what we send),
 * Generic NACKs (RFC 4585 §6.2.1), PLI (§6.3.1), FIR (RFC 5104 §4.3.1), REMB
 * (draft-alvestrand-rmcat-remb) and BYE. Malformed packets stop the walk, never throw: RTCP
 * comes from the network. RTCP is a few packets a second, so plain objects are fine here.
 */
import { RtcpType } from './rtcpTypes.js';

const BYE = 203;

/** One report block: how a peer receives one of our streams. */
export interface ReportBlock {
  /** The stream reported on (one of ours). */
  readonly ssrc: number;
  /** Fraction lost since the last report, 0..1. */
  readonly fractionLost: number;
  readonly cumulativeLost: number;
  readonly highestSequence: number;
  /** Interarrival jitter, in RTP timestamp units. */
  readonly jitter: number;
  /** Middle 32 bits of the NTP time of our last SR it saw, and the delay since, in 1/65536 s. */
  readonly lastSr: number;
  readonly delaySinceLastSr: number;
}

/** What one compound packet says, by kind. */
export interface RtcpFacts {
  senderReports: { ssrc: number; ntp: bigint; rtpTimestamp: number; packets: number; octets: number }[];
  reportBlocks: ReportBlock[];
  /** Media SSRCs asked for a keyframe, and how. */
  keyframeRequests: { mediaSsrc: number; fir: boolean }[];
  nacks: { mediaSsrc: number; sequences: number[] }[];
  /** Receiver-estimated maximum bitrate, bits per second, and the SSRCs it applies to. */
  remb: { bitrate: number; ssrcs: number[] }[];
  byes: number[];
}

/** Reads every packet of a compound RTCP packet it understands. */
export function readRtcp(data: Buffer): RtcpFacts {
  const facts: RtcpFacts = { senderReports: [], reportBlocks: [], keyframeRequests: [], nacks: [], remb: [], byes: [] };
  for (let offset = 0; offset + 4 <= data.length; ) {
    const b0 = data[offset] ?? 0;
    if (b0 >> 6 !== 2) break;
    const length = 4 * (data.readUInt16BE(offset + 2) + 1);
    if (offset + length > data.length) break;
    readOne(data.subarray(offset, offset + length), b0 & 0x1f, data[offset + 1] ?? 0, facts);
    offset += length;
  }
  return facts;
}

function readOne(p: Buffer, count: number, type: number, facts: RtcpFacts): void {
  switch (type) {
    case RtcpType.SR: {
      if (p.length < 28) return;
      facts.senderReports.push({ ssrc: p.readUInt32BE(4), ntp: p.readBigUInt64BE(8), rtpTimestamp: p.readUInt32BE(16), packets: p.readUInt32BE(20), octets: p.readUInt32BE(24) });
      readBlocks(p, 28, count, facts);
      return;
    }
    case RtcpType.RR:
      readBlocks(p, 8, count, facts);
      return;
    case RtcpType.RTPFB:
      if (count === 1) readNack(p, facts);
      return;
    case RtcpType.PSFB:
      readPayloadFeedback(p, count, facts);
      return;
    case BYE:
      for (let i = 0; i < count && 4 + 4 * i + 4 <= p.length; i++) facts.byes.push(p.readUInt32BE(4 + 4 * i));
      return;
    default:
      return; // SDES, APP, transport-cc feedback...: nothing to act on
  }
}

function readBlocks(p: Buffer, start: number, count: number, facts: RtcpFacts): void {
  for (let i = 0, o = start; i < count && o + 24 <= p.length; i++, o += 24) {
    const lost = p.readUInt32BE(o + 4);
    facts.reportBlocks.push({
      ssrc: p.readUInt32BE(o),
      fractionLost: (lost >>> 24) / 256,
      // 24-bit two's complement (RFC 3550 §6.4.1).
      cumulativeLost: (lost & 0x800000) !== 0 ? (lost & 0xffffff) - 0x1000000 : lost & 0xffffff,
      highestSequence: p.readUInt32BE(o + 8),
      jitter: p.readUInt32BE(o + 12),
      lastSr: p.readUInt32BE(o + 16),
      delaySinceLastSr: p.readUInt32BE(o + 20),
    });
  }
}

function readNack(p: Buffer, facts: RtcpFacts): void {
  if (p.length < 12) return;
  const sequences: number[] = [];
  for (let o = 12; o + 4 <= p.length; o += 4) {
    const pid = p.readUInt16BE(o);
    const blp = p.readUInt16BE(o + 2);
    sequences.push(pid);
    for (let bit = 0; bit < 16; bit++) if (blp & (1 << bit)) sequences.push((pid + bit + 1) & 0xffff);
  }
  facts.nacks.push({ mediaSsrc: p.readUInt32BE(8), sequences });
}

function readPayloadFeedback(p: Buffer, fmt: number, facts: RtcpFacts): void {
  if (p.length < 12) return;
  if (fmt === 1) facts.keyframeRequests.push({ mediaSsrc: p.readUInt32BE(8), fir: false });
  else if (fmt === 4) {
    // FIR names its targets in FCI entries (SSRC, seq nr, reserved).
    for (let o = 12; o + 8 <= p.length; o += 8) facts.keyframeRequests.push({ mediaSsrc: p.readUInt32BE(o), fir: true });
  } else if (fmt === 15 && p.length >= 20 && p.toString('latin1', 12, 16) === 'REMB') {
    const n = p[16] ?? 0;
    const exponent = (p[17] ?? 0) >> 2;
    const mantissa = (((p[17] ?? 0) & 0x03) << 16) | p.readUInt16BE(18);
    const ssrcs: number[] = [];
    for (let i = 0, o = 20; i < n && o + 4 <= p.length; i++, o += 4) ssrcs.push(p.readUInt32BE(o));
    facts.remb.push({ bitrate: mantissa * 2 ** exponent, ssrcs });
  }
}

/** A PLI (RFC 4585 §6.3.1) from `senderSsrc` asking `mediaSsrc` for a keyframe. */
export function serializePli(senderSsrc: number, mediaSsrc: number): Buffer {
  const p = Buffer.alloc(12);
  p[0] = 0x81;
  p[1] = RtcpType.PSFB;
  p.writeUInt16BE(2, 2);
  p.writeUInt32BE(senderSsrc >>> 0, 4);
  p.writeUInt32BE(mediaSsrc >>> 0, 8);
  return p;
}
