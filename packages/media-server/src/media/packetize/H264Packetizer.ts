/**
 * H.264 over RTP in packetization mode 1 (RFC 6184 §5.7.1 STAP-A, §5.8 FU-A): small NAL units
 * of an access unit (SPS, PPS, SEI) travel together in STAP-A packets, a NAL unit larger than
 * the MTU is cut into FU-A fragments, others go as single NAL unit packets. A key frame is
 * preceded by the decoder configuration's SPS and PPS when it carries none itself (files keep
 * them in the avcC record; a WebRTC receiver needs them in band).
 */
import { type FramePacketizer, type PacketHandler, PLAYER_MTU, RTP_HEADER_BYTES, type RtpHeaderWriter } from './RtpPacketizer.js';

const SPS = 7;
const PPS = 8;
const AUD = 9;
const STAP_A = 24;
const FU_A = 28;

/** The NAL units of an access unit: length-prefixed (AVCC, `lengthSize` bytes) or Annex B start codes. */
export function splitNalUnits(unit: Uint8Array, lengthSize: number | undefined): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (lengthSize !== undefined) {
    for (let i = 0; i + lengthSize <= unit.length; ) {
      let size = 0;
      for (let b = 0; b < lengthSize; b++) size = size * 256 + (unit[i + b] ?? 0);
      i += lengthSize;
      if (size === 0 || i + size > unit.length) break;
      out.push(unit.subarray(i, i + size));
      i += size;
    }
    return out;
  }
  let start = -1;
  for (let i = 0; i + 2 < unit.length; i++) {
    if (unit[i] === 0 && unit[i + 1] === 0 && unit[i + 2] === 1) {
      if (start >= 0) out.push(trimZeros(unit.subarray(start, i)));
      start = i + 3;
      i += 2;
    }
  }
  if (start >= 0 && start < unit.length) out.push(unit.subarray(start));
  return out.filter((nal) => nal.length > 0);
}

const trimZeros = (nal: Uint8Array): Uint8Array => {
  let end = nal.length;
  while (end > 0 && nal[end - 1] === 0) end--;
  return nal.subarray(0, end);
};

/** SPS and PPS of an avcC record (ISO/IEC 14496-15 §5.3.3.1), and its NAL length size. */
export function parseAvcC(record: Uint8Array): { lengthSize: number; sps: Uint8Array[]; pps: Uint8Array[] } {
  const lengthSize = ((record[4] ?? 3) & 0x03) + 1;
  const sps: Uint8Array[] = [];
  const pps: Uint8Array[] = [];
  let i = 5;
  const read = (count: number, into: Uint8Array[]): void => {
    for (let n = 0; n < count && i + 2 <= record.length; n++) {
      const size = ((record[i] ?? 0) << 8) | (record[i + 1] ?? 0);
      into.push(record.subarray(i + 2, i + 2 + size));
      i += 2 + size;
    }
  };
  read((record[i++] ?? 0) & 0x1f, sps);
  read(record[i++] ?? 0, pps);
  return { lengthSize, sps, pps };
}

/** H.264 access units into RTP. */
export class H264Packetizer implements FramePacketizer {
  /** Most payload bytes per packet. */
  readonly #room = PLAYER_MTU - RTP_HEADER_BYTES;

  constructor(
    private readonly header: RtpHeaderWriter,
    /** NAL length size of the file's access units; undefined: Annex B. */
    private readonly lengthSize: number | undefined,
    /** Parameter sets from the decoder configuration, sent before key frames that lack them. */
    private readonly parameterSets: readonly Uint8Array[],
  ) {}

  packetize(unit: Uint8Array, keyframe: boolean, timestamp: number, send: PacketHandler): void {
    let nals = splitNalUnits(unit, this.lengthSize).filter((nal) => ((nal[0] ?? 0) & 0x1f) !== AUD);
    if (keyframe && !nals.some((nal) => ((nal[0] ?? 0) & 0x1f) === SPS)) nals = [...this.parameterSets, ...nals];
    let group: Uint8Array[] = [];
    let groupBytes = 1;
    const flushGroup = (last: boolean): void => {
      if (group.length === 1) this.#single(group[0] ?? new Uint8Array(), timestamp, last, send);
      else if (group.length > 1) this.#stapA(group, groupBytes, timestamp, last, send);
      group = [];
      groupBytes = 1;
    };
    nals.forEach((nal, index) => {
      const last = index === nals.length - 1;
      if (nal.length > this.#room) {
        flushGroup(false);
        this.#fuA(nal, timestamp, last, send);
        return;
      }
      if (groupBytes + 2 + nal.length > this.#room) flushGroup(false);
      group.push(nal);
      groupBytes += 2 + nal.length;
      const type = (nal[0] ?? 0) & 0x1f;
      // Parameter sets and SEI wait to be aggregated; a slice closes the group.
      if (last || (type !== SPS && type !== PPS && type !== 6)) flushGroup(last);
    });
  }

  #single(nal: Uint8Array, timestamp: number, marker: boolean, send: PacketHandler): void {
    const packet = this.header.packet(nal.length, timestamp, marker);
    packet.set(nal, RTP_HEADER_BYTES);
    send(packet);
  }

  #stapA(nals: readonly Uint8Array[], bytes: number, timestamp: number, marker: boolean, send: PacketHandler): void {
    const packet = this.header.packet(bytes, timestamp, marker);
    let nri = 0;
    for (const nal of nals) nri = Math.max(nri, (nal[0] ?? 0) & 0x60);
    packet[RTP_HEADER_BYTES] = nri | STAP_A;
    let at = RTP_HEADER_BYTES + 1;
    for (const nal of nals) {
      packet.writeUInt16BE(nal.length, at);
      packet.set(nal, at + 2);
      at += 2 + nal.length;
    }
    send(packet);
  }

  #fuA(nal: Uint8Array, timestamp: number, marker: boolean, send: PacketHandler): void {
    const head = nal[0] ?? 0;
    const room = this.#room - 2;
    for (let offset = 1; offset < nal.length; offset += room) {
      const size = Math.min(room, nal.length - offset);
      const first = offset === 1;
      const end = offset + size >= nal.length;
      const packet = this.header.packet(2 + size, timestamp, marker && end);
      packet[RTP_HEADER_BYTES] = (head & 0xe0) | FU_A;
      packet[RTP_HEADER_BYTES + 1] = (first ? 0x80 : 0) | (end ? 0x40 : 0) | (head & 0x1f);
      packet.set(nal.subarray(offset, offset + size), RTP_HEADER_BYTES + 2);
      send(packet);
    }
  }
}
