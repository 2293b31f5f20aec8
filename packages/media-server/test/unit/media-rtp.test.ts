import assert from 'node:assert/strict';
import { test } from 'node:test';
import { avcDecoderConfigurationRecord, h264CodecString, parseH264Sps } from '../../src/media/bitstream/h264.js';
import { vp8KeyframeSize, vp9KeyframeInfo } from '../../src/media/bitstream/vpx.js';
import { H264Depacketizer } from '../../src/media/depacketize/H264Depacketizer.js';
import type { EncodedFrame } from '../../src/media/depacketize/Depacketizer.js';
import { Vp8Depacketizer } from '../../src/media/depacketize/Vp8Depacketizer.js';
import { H264Packetizer, parseAvcC, splitNalUnits } from '../../src/media/packetize/H264Packetizer.js';
import { RtpHeaderWriter } from '../../src/media/packetize/RtpPacketizer.js';
import { Vp8Packetizer } from '../../src/media/packetize/Vp8Packetizer.js';
import { ReorderBuffer } from '../../src/media/ReorderBuffer.js';
import { RtpFrameReader } from '../../src/media/RtpFrameReader.js';

const seqOf = (p: Buffer, start: number): number => p.readUInt16BE(start);
const tagged = (seq: number): Buffer => Buffer.of(seq >> 8, seq & 0xff, 0xaa);

test('reorder buffer: out-of-order packets come out in order across the 16-bit wrap', () => {
  const out: number[] = [];
  const lost: number[] = [];
  const buffer = new ReorderBuffer((p, start) => out.push(seqOf(p, start)), (n) => lost.push(n), { capacity: 16 });
  for (const seq of [65533, 65535, 65534, 1, 0, 2]) buffer.push(tagged(seq), seq, 0);
  assert.deepEqual(out, [65533, 65534, 65535, 0, 1, 2]);
  assert.deepEqual(lost, []);
  buffer.push(tagged(1), 1, 0); // a late duplicate
  assert.deepEqual(out.length, 6);
});

test('reorder buffer: a gap is given up after maxWaitMs or when the stream runs a buffer ahead', () => {
  const out: number[] = [];
  const lost: number[] = [];
  const buffer = new ReorderBuffer((p, start) => out.push(seqOf(p, start)), (n) => lost.push(n), { capacity: 8, maxWaitMs: 100 });
  buffer.push(tagged(10), 10, 0);
  buffer.push(tagged(12), 12, 10); // 11 missing
  buffer.push(tagged(13), 13, 50);
  assert.deepEqual(out, [10]);
  buffer.push(tagged(14), 14, 120); // 12 waited 110 ms
  assert.deepEqual(out, [10, 12, 13, 14]);
  assert.deepEqual(lost, [1]);
  buffer.push(tagged(11), 11, 130); // the retransmission after its gap was given up
  assert.deepEqual(out, [10, 12, 13, 14]);
  for (let seq = 16; seq < 30; seq++) buffer.push(tagged(seq), seq, 140); // 15 never comes; 8 slots
  assert.deepEqual(lost, [1, 1]);
  assert.equal(out.at(-1), 29);
  assert.throws(() => new ReorderBuffer(() => undefined, () => undefined, { capacity: 100 }), /power of two/);
});

/** A fake H.264 access unit: SPS, PPS and an IDR slice of `size` bytes, AVCC with 4-byte lengths. */
function accessUnit(size: number): { unit: Uint8Array; nals: Uint8Array[] } {
  const sps = Uint8Array.of(0x67, 0x42, 0xc0, 0x1f, 0xda, 0x02, 0x80, 0xbf, 0xe5, 0x84, 0x00, 0x00, 0x03, 0x00, 0x04, 0x00, 0x00, 0x03, 0x00, 0xf2, 0x3c, 0x60, 0xca, 0x80);
  const pps = Uint8Array.of(0x68, 0xce, 0x3c, 0x80);
  const idr = new Uint8Array(size).map((_, i) => (i === 0 ? 0x65 : (i * 7) & 0xff));
  const nals = [sps, pps, idr];
  const unit = Buffer.concat(nals.flatMap((n) => [Buffer.from([0, 0, n.length >> 8, n.length & 0xff]), Buffer.from(n)]));
  return { unit, nals };
}

test('H.264: our packetizer (STAP-A + FU-A within 1200 bytes) and depacketizer round-trip an access unit', () => {
  const { unit, nals } = accessUnit(5000);
  const packets: Buffer[] = [];
  new H264Packetizer(new RtpHeaderWriter(0x1234, 102, 65534), 4, []).packetize(unit, true, 9000, (p) => packets.push(p));
  assert.ok(packets.every((p) => p.length <= 1200));
  assert.equal((packets[0]?.[12] ?? 0) & 0x1f, 24, 'SPS and PPS aggregated in a STAP-A');
  assert.ok(packets.slice(1).every((p) => ((p[12] ?? 0) & 0x1f) === 28), 'the IDR fragmented in FU-A');
  assert.deepEqual(packets.map((p) => (p[1] ?? 0) >> 7), [...Array(packets.length - 1).fill(0), 1], 'marker on the last');
  assert.deepEqual(packets.map((p) => p.readUInt16BE(2)), packets.map((_, i) => (65534 + i) & 0xffff), 'sequence wraps');
  const frames: EncodedFrame[] = [];
  const depacketizer = new H264Depacketizer((f) => frames.push(f));
  for (const p of packets) depacketizer.push(p, 12, p.length, ((p[1] ?? 0) & 0x80) !== 0, p.readUInt32BE(4));
  assert.equal(frames.length, 1);
  assert.ok(frames[0]?.keyframe);
  assert.deepEqual(Buffer.from(frames[0]?.data ?? []), Buffer.from(unit));
  assert.deepEqual(Buffer.from(depacketizer.sps ?? []), Buffer.from(nals[0] ?? []));
  assert.deepEqual(splitNalUnits(frames[0]?.data ?? new Uint8Array(), 4).map((n) => Buffer.from(n)), nals.map((n) => Buffer.from(n)));
  // A key frame without in-band parameter sets gets the decoder config's.
  const bare = Buffer.concat([Buffer.from([0, 0, 0, 3]), Buffer.from([0x65, 1, 2])]);
  const sent: Buffer[] = [];
  new H264Packetizer(new RtpHeaderWriter(1, 102), 4, [nals[0] ?? new Uint8Array(), nals[1] ?? new Uint8Array()]).packetize(bare, true, 0, (p) => sent.push(p));
  assert.equal(sent.length, 1);
  assert.equal((sent[0]?.[12] ?? 0) & 0x1f, 24, 'SPS, PPS and the small IDR in one STAP-A');
});

test('H.264: SPS size and codec string, the avcC record, Annex B splitting', () => {
  const { nals } = accessUnit(10);
  const [sps = new Uint8Array(), pps = new Uint8Array()] = nals;
  const info = parseH264Sps(sps);
  assert.deepEqual([info.width, info.height], [640, 360]);
  assert.equal(h264CodecString(info), 'avc1.42c01f');
  const avcC = parseAvcC(avcDecoderConfigurationRecord(sps, pps));
  assert.equal(avcC.lengthSize, 4);
  assert.deepEqual(avcC.sps, [sps]);
  assert.deepEqual(avcC.pps, [pps]);
  assert.deepEqual(splitNalUnits(Uint8Array.of(0, 0, 0, 1, 0x67, 1, 0, 0, 1, 0x68, 2, 0, 0, 0, 1, 0x65, 3), undefined), [Uint8Array.of(0x67, 1), Uint8Array.of(0x68, 2), Uint8Array.of(0x65, 3)]);
  assert.throws(() => parseH264Sps(pps), /not an H.264 SPS/);
});

test('H.264 depacketizer: a fragment without its start drops the access unit', () => {
  const frames: EncodedFrame[] = [];
  const d = new H264Depacketizer((f) => frames.push(f));
  const push = (bytes: number[], marker: boolean, ts: number) => d.push(Buffer.from(bytes), 0, bytes.length, marker, ts);
  push([0x7c, 0x05, 1, 2], false, 100); // FU-A middle of an IDR
  push([0x7c, 0x45, 3, 4], true, 100); // its end
  assert.equal(frames.length, 0);
  push([0x41, 9, 9], true, 200); // a whole non-IDR slice
  assert.equal(frames.length, 1);
  assert.equal(frames[0]?.keyframe, false);
});

test('VP8: packetizer and depacketizer round-trip a key frame; its size is read from the header', () => {
  const frame = new Uint8Array(3000).map((_, i) => (i * 13) & 0xff);
  frame.set([0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01]); // key frame 640x360
  const packets: Buffer[] = [];
  new Vp8Packetizer(new RtpHeaderWriter(7, 96)).packetize(frame, true, 3000, (p) => packets.push(p));
  assert.equal(packets.length, 3);
  const frames: EncodedFrame[] = [];
  const d = new Vp8Depacketizer((f) => frames.push(f));
  for (const p of packets) d.push(p, 12, p.length, ((p[1] ?? 0) & 0x80) !== 0, p.readUInt32BE(4));
  assert.equal(frames.length, 1);
  assert.ok(frames[0]?.keyframe);
  assert.deepEqual(Buffer.from(frames[0]?.data ?? []), Buffer.from(frame));
  assert.deepEqual(vp8KeyframeSize(frame), { width: 640, height: 360 });
  assert.equal(vp8KeyframeSize(Uint8Array.of(0x11, 0, 0)), undefined);
  // VP9 uncompressed header of a profile 0 key frame, 640x360: marker 10, profile 00, show_existing 0, type 0, show 1, err 0, sync, cs 001, range 0, w-1, h-1.
  const vp9 = Uint8Array.of(0x82, 0x49, 0x83, 0x42, 0x20, 0x27, 0xf0, 0x16, 0x70);
  assert.deepEqual(vp9KeyframeInfo(vp9), { profile: 0, bitDepth: 8, width: 640, height: 360 });
});

test('frame reader: video waits for a key frame, and a loss asks for one and drops to the next', () => {
  const frames: { key: boolean; ts: number }[] = [];
  let requests = 0;
  const reader = new RtpFrameReader('video', { mimeType: 'video/VP8', clockRate: 90000, parameters: {}, payloadType: 96 }, {
    frame: (f) => frames.push({ key: f.keyframe, ts: f.rtpTimestamp }),
    keyframeNeeded: () => void requests++,
  });
  const header = new RtpHeaderWriter(0xabc, 96, 100);
  const packetizer = new Vp8Packetizer(header);
  const delta = Uint8Array.of(0x01, 0, 0, 1, 2, 3);
  const key = Uint8Array.of(0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01);
  const send = (f: Uint8Array, ts: number, skip = false) => packetizer.packetize(f, false, ts, (p) => !skip && reader.push(p, ts / 90));
  send(delta, 0); // not a key frame: dropped, a request
  send(key, 3000);
  send(delta, 6000);
  send(delta, 9000, true); // lost
  send(delta, 12000);
  send(delta, 100_000); // > 200 ms later: the gap is given up
  send(delta, 103_000);
  send(key, 106_000);
  assert.deepEqual(frames, [{ key: true, ts: 3000 }, { key: false, ts: 6000 }, { key: true, ts: 106_000 }]);
  // At the first packet, and for the loss (the non-key start in the same instant is rate-limited).
  assert.equal(requests, 2);
});
