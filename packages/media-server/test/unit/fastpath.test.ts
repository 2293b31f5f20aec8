/** The fast path's pieces without a network: header reading, the NACK ring, the outgoing rewrite. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { OutboundStream } from '../../src/rtp/OutboundStream.js';
import { RtpSession } from '../../src/rtp/RtpSession.js';
import { MAX_KEEP_MS, MIN_KEEP_MS, RetransmissionRing } from '../../src/rtp/RetransmissionRing.js';
import { readExtensionU16, rtpHeaderLength } from '../../src/rtp/rtpHeader.js';
import { SrtpContext } from '../../src/rtp/SrtpContext.js';
import type { RtpCodec } from '../../src/types/media.js';

/** A Chrome-like packet: mid (id 4), abs-send-time (id 2), transport-cc (id 3) in a one-byte block. */
function chromePacket(seq: number, ts: number, ssrc: number, pt = 96, transportSeq = 7): Buffer {
  const b = Buffer.alloc(28 + 100);
  b[0] = 0x90;
  b[1] = 0x80 | pt;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(ts, 4);
  b.writeUInt32BE(ssrc, 8);
  b.writeUInt16BE(0xbede, 12);
  b.writeUInt16BE(3, 14);
  b.set([0x40, 0x31, 0x22, 1, 2, 3, 0x31, transportSeq >> 8, transportSeq & 0xff, 0, 0, 0], 16);
  randomBytes(100).copy(b, 28);
  return b;
}

test('header length and extension values are read from the buffer', () => {
  const p = chromePacket(1, 2, 3, 96, 0x1234);
  assert.equal(rtpHeaderLength(p), 28);
  assert.equal(readExtensionU16(p, 28, 3), 0x1234);
  assert.equal(readExtensionU16(p, 28, 9), -1);
  const twoByte = Buffer.from([0x90, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0x10, 0x00, 0, 1, 5, 2, 0xab, 0xcd]);
  assert.equal(rtpHeaderLength(twoByte), 20);
  assert.equal(readExtensionU16(twoByte, 20, 5), 0xabcd);
  assert.equal(rtpHeaderLength(Buffer.from([0x90, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0xbe, 0xde, 0, 9])), -1, 'extension longer than the packet');
  assert.equal(rtpHeaderLength(Buffer.from([0x40, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1])), -1, 'version 1');
});

test('the retransmission ring returns a copy of the packet of a sequence number until its slot is reused', () => {
  const ring = new RetransmissionRing(8, 1000);
  const a = Buffer.from('a');
  const b = Buffer.from('bb');
  ring.put(65_535, a, 0);
  ring.put(3, b, 1);
  assert.deepEqual(ring.get(65_535, 2), a);
  assert.deepEqual(ring.get(3, 2), b);
  assert.notEqual(ring.get(3, 2), b, 'a copy, not the buffer sent');
  assert.equal(ring.get(11, 2), undefined, 'same slot, other number');
  ring.put(11, a, 3);
  assert.equal(ring.get(3, 4), undefined, 'overwritten');
  assert.deepEqual(ring.get(11, 4), a);
  ring.put(12, Buffer.alloc(2000), 5);
  assert.equal(ring.get(12, 5), undefined, 'larger than the largest packet kept');
  assert.throws(() => new RetransmissionRing(6));
});

test('the retransmission ring does not resend packets older than its age limit', () => {
  const ring = new RetransmissionRing(128, 500);
  for (let i = 0; i < 100; i++) ring.put(i, Buffer.from([i]), i * 10);
  assert.equal(ring.get(48, 990), undefined, 'sent at 480 ms: expired at 990');
  assert.deepEqual(ring.get(49, 990), Buffer.from([49]), 'exactly 500 ms old: still held');
  assert.deepEqual(ring.get(99, 990), Buffer.from([99]));
  ring.put(65_535, Buffer.from([1]), 5000);
  ring.put(0, Buffer.from([2]), 5010);
  assert.deepEqual(ring.get(65_535, 5010), Buffer.from([1]), 'across the sequence wrap');
  assert.equal(ring.get(99, 5010), undefined);
});

test('the retransmission ring keeps every packet younger than its age limit, growing past its first 32 KB only for a stream that needs it', () => {
  const packetOf = (seq: number, size: number) => Buffer.alloc(size, seq & 0xff);
  const run = (packetsPerSecond: number, size: number, roundTripSeconds?: number) => {
    const ring = new RetransmissionRing();
    if (roundTripSeconds !== undefined) ring.keepFor(roundTripSeconds);
    const keep = ring.keepMs;
    const every = 1000 / packetsPerSecond;
    for (let i = 0; i < 4 * packetsPerSecond; i++) ring.put((60_000 + i) & 0xffff, packetOf(i, size), i * every);
    const last = 4 * packetsPerSecond - 1;
    const now = last * every;
    const young = Math.floor(keep / every);
    for (let i = last - young; i <= last; i++) assert.deepEqual(ring.get((60_000 + i) & 0xffff, now), packetOf(i, size), `${packetsPerSecond}/s: packet ${i}, ${Math.round(now - i * every)} ms old`);
    assert.equal(ring.get((60_000 + last - young - 2) & 0xffff, now), undefined, `older than ${keep} ms`);
    return { bytes: ring.bytes, keep };
  };
  // 1.5 Mbit/s of video in 1,240-byte packets, no round trip measured yet: 200 ms are 37 KB; the slab grows once, by half.
  assert.deepEqual(run(150, 1240), { bytes: 48 * 1024, keep: MIN_KEEP_MS });
  // A 150 ms round trip: 450 ms, 84 KB of packets.
  const slow = run(150, 1240, 0.15);
  assert.equal(slow.keep, 450);
  assert.ok(slow.bytes >= 84_000 && slow.bytes <= 128 * 1024, `${slow.bytes} bytes for 84 KB of packets`);
  // 2 Mbit/s and a 2 s round trip: kept for MAX_KEEP_MS, 248 KB of packets (within the ring's 256 slots).
  const long = run(200, 1240, 2);
  assert.equal(long.keep, MAX_KEEP_MS);
  assert.ok(long.bytes >= 248_000 && long.bytes <= 432 * 1024, `${long.bytes} bytes for 248 KB of packets`);
  const ring = new RetransmissionRing();
  ring.keepFor(Number.NaN);
  ring.keepFor(-1);
  assert.equal(ring.keepMs, MIN_KEEP_MS, 'a bogus round trip changes nothing');
  ring.keepFor(0);
  assert.equal(ring.keepMs, MIN_KEEP_MS, 'a loopback round trip still keeps the minimum');
});

/** Source payload type → ours: 96 stays 96, 97 becomes 100, anything else is not sent. */
function payloadMap(entries: [number, number][] = [[96, 96], [97, 100]]): Int16Array {
  const map = new Int16Array(128).fill(-1);
  for (const [from, to] of entries) map[from] = to;
  return map;
}

function stream(retransmissions = true, codecs: RtpCodec[] = []) {
  const key = randomBytes(16);
  const salt = randomBytes(12);
  const sent: Buffer[] = [];
  const keyframeRequests: number[] = [];
  const out = new OutboundStream(
    { ssrc: 0xaabbccdd, clockRate: 90_000, mid: { id: 4, value: '1' }, retransmissions },
    new SrtpContext('AEAD_AES_128_GCM', key, salt),
    (p) => sent.push(p),
    () => keyframeRequests.push(sent.length),
  );
  out.route({ payloadMap: payloadMap(), codecs });
  const peer = new SrtpContext('AEAD_AES_128_GCM', key, salt);
  const open = (p: Buffer): Buffer => {
    const copy = Buffer.from(p);
    const end = peer.unprotect(copy);
    assert.ok(end > 0, 'the peer authenticates it');
    return copy.subarray(0, end);
  };
  return { out, sent, open, keyframeRequests };
}

test('outgoing packets carry our SSRC, the payload type the route maps to, our mid only, and the payload unchanged', () => {
  const { out, sent, open } = stream();
  const source = chromePacket(500, 9000, 0x11111111, 96);
  assert.ok(out.send(source, 0));
  const p = open(sent[0] ?? Buffer.alloc(0));
  assert.equal(p.readUInt32BE(8), 0xaabbccdd);
  assert.equal(p[1], 0x80 | 96, 'marker kept, payload type 96 is negotiated');
  assert.equal(p.readUInt16BE(2), 500);
  assert.equal(p.readUInt32BE(4), 9000);
  const h = rtpHeaderLength(p);
  assert.equal(h, 20, 'fixed header + one-word mid extension');
  assert.deepEqual([...p.subarray(16, 18)], [0x40, '1'.charCodeAt(0)]);
  assert.deepEqual(p.subarray(h), source.subarray(28));
  assert.ok(out.send(chromePacket(501, 9000, 0x11111111, 97), 1));
  assert.equal((open(sent[1] ?? Buffer.alloc(0))[1] ?? 0) & 0x7f, 100, 'the codec the source calls 97 is 100 for this peer');
  assert.equal(out.send(chromePacket(502, 9000, 0x11111111, 111), 2), false, 'a codec the peer did not negotiate is not sent, never relabelled');
  assert.equal(sent.length, 2);
  assert.deepEqual(out.dropped, { unrouted: 1, waitingForKeyframe: 0 });
  out.route(undefined);
  assert.equal(out.send(chromePacket(503, 9000, 0x11111111, 96), 3), false, 'no route: nothing is sent');
});

test('a new source continues our sequence and timestamp spaces', () => {
  const { out, sent, open } = stream();
  out.send(chromePacket(65_535, 1000, 1), 0);
  out.send(chromePacket(40, 777_777, 2), 100); // another source 100 ms later
  out.send(chromePacket(41, 780_777, 2), 133);
  const [a, b, c] = sent.map(open);
  assert.equal(b?.readUInt16BE(2), 0, 'seq follows 65535');
  assert.equal(c?.readUInt16BE(2), 1);
  assert.equal(b?.readUInt32BE(4), 1000 + 9000, '100 ms at 90 kHz after the last timestamp');
  assert.equal(c?.readUInt32BE(4), 1000 + 9000 + 3000);
  assert.equal(a?.readUInt16BE(2), 65_535);
});

test('NACKed packets are resent byte for byte from the ring; audio keeps none', () => {
  const { out, sent } = stream();
  for (let s = 10; s < 20; s++) out.send(chromePacket(s, s * 3000, 1), s);
  assert.equal(out.retransmit([12, 15, 400], 20), 2);
  assert.equal(sent.length, 12);
  assert.deepEqual(sent[10], sent[2]);
  assert.deepEqual(sent[11], sent[5]);
  const audio = stream(false);
  audio.out.send(chromePacket(1, 1, 1), 0);
  assert.equal(audio.out.retransmit([1], 1), 0);
});

const VP8: RtpCodec = { mimeType: 'video/VP8', clockRate: 90_000, parameters: {}, payloadType: 96 };

/** A VP8 packet as Chromium sends it: 15-bit PictureID, a keyframe's tag when `key`. */
function vp8Packet(seq: number, ts: number, ssrc: number, pictureId: number, key: boolean, start = true): Buffer {
  const p = Buffer.alloc(12 + 4 + 20);
  p[0] = 0x80;
  p[1] = 96;
  p.writeUInt16BE(seq, 2);
  p.writeUInt32BE(ts, 4);
  p.writeUInt32BE(ssrc, 8);
  p[12] = 0x80 | (start ? 0x10 : 0); // X, S
  p[13] = 0x80; // I
  p.writeUInt16BE(0x8000 | pictureId, 14);
  p[16] = key ? 0x10 : 0x11; // frame tag: P bit
  return p;
}

test('a new source starts at its keyframe: delta frames before it are dropped and a keyframe is asked for', () => {
  const { out, sent, open, keyframeRequests } = stream(true, [VP8]);
  assert.equal(out.send(vp8Packet(10, 1000, 1, 5, false), 0), false, 'no keyframe yet');
  assert.deepEqual(keyframeRequests, [0], 'asked at once');
  assert.equal(out.send(vp8Packet(11, 1000, 1, 5, false, false), 10), false);
  assert.deepEqual(keyframeRequests, [0], 'not again within the retry interval');
  assert.ok(out.send(vp8Packet(12, 4000, 1, 6, true), 20), 'the keyframe opens the stream');
  assert.ok(out.send(vp8Packet(13, 4000, 1, 6, false, false), 21), 'and its continuation follows');
  assert.ok(out.send(vp8Packet(14, 7000, 1, 7, false), 50), 'then delta frames');
  assert.equal(sent.length, 3);
  assert.equal(open(sent[0] ?? Buffer.alloc(0)).readUInt16BE(2), 12, 'the first source keeps its own numbers');
  assert.deepEqual(out.dropped, { unrouted: 0, waitingForKeyframe: 2 });
  assert.equal(out.send(vp8Packet(500, 90_000, 2, 30_000, false), 1500), false, 'another source: wait again');
  assert.equal(keyframeRequests.length, 2);
  assert.equal(out.send(vp8Packet(500, 90_000, 1, 8, false), 1600), true, 'the first source still flows meanwhile');
});

test('after a source switch, sequence numbers, timestamps and VP8 picture ids continue ours', () => {
  const { out, sent, open } = stream(true, [VP8]);
  out.send(vp8Packet(100, 1000, 1, 0x7ffe, true), 0);
  out.send(vp8Packet(101, 4000, 1, 0x7fff, false), 33);
  out.send(vp8Packet(9000, 50_000, 2, 200, false), 66); // new source, delta: dropped
  out.send(vp8Packet(9001, 53_000, 2, 201, true), 100); // its keyframe
  out.send(vp8Packet(9002, 56_000, 2, 202, false), 133);
  const packets = sent.map(open);
  assert.equal(packets.length, 4);
  const picture = (p: Buffer) => p.readUInt16BE(rtpHeaderLength(p) + 2) & 0x7fff;
  assert.deepEqual(packets.map((p) => p.readUInt16BE(2)), [100, 101, 102, 103], 'no gap for the dropped delta frame');
  assert.deepEqual(packets.map(picture), [0x7ffe, 0x7fff, 0, 1], 'picture ids wrap on in our space');
  assert.equal(packets[2]?.readUInt32BE(4), 4000 + Math.round(67 * 90), 'timestamp: 67 ms after our last');
  assert.equal((packets[2]?.[rtpHeaderLength(packets[2]) + 4] ?? 1) & 1, 0, 'the payload after the descriptor is unchanged');
});

/** A receiver report of the peer on `ssrc` whose LSR/DLSR make a round trip of `rttSeconds` at `wallMs`. */
function receiverReport(ssrc: number, rttSeconds: number, wallMs: number): Buffer {
  const rr = Buffer.alloc(32);
  rr[0] = 0x81; // V=2, one report block
  rr[1] = 201;
  rr.writeUInt16BE(7, 2);
  rr.writeUInt32BE(0x01020304, 4);
  rr.writeUInt32BE(ssrc, 8);
  const ntpMiddle = Math.floor((wallMs / 1000 + 2_208_988_800) * 65536) >>> 0;
  const delay = 0x8000; // half a second held at the peer
  rr.writeUInt32BE((ntpMiddle - Math.round(rttSeconds * 65536) - delay) >>> 0, 24);
  rr.writeUInt32BE(delay, 28);
  return rr;
}

test('the round trip a receiver report measures reaches the stream\'s ring: a 150 ms round trip keeps packets 450 ms', () => {
  const quiet = { rtp: () => undefined, rtcp: () => undefined, keyframeRequest: () => undefined, keyframeNeeded: () => undefined, senderReport: () => undefined, failure: (e: unknown) => assert.fail(String(e)) };
  const resentAfter = (rttSeconds: number | undefined) => {
    const { out, sent } = stream();
    const session = new RtpSession(quiet, []);
    session.setOutbound('video', out);
    for (let s = 0; s < 10; s++) out.send(chromePacket(100 + s, s * 3000, 1), s * 10);
    const wallMs = 1_790_000_000_000;
    if (rttSeconds !== undefined) session.receiveRtcp(receiverReport(0xaabbccdd, rttSeconds, wallMs), 100, wallMs);
    const before = sent.length;
    session.receiveRtcp(nackFor(0xaabbccdd, 100), 400, wallMs); // packet 100 is 400 ms old now
    return { resent: sent.length - before, rtt: session.streamStats('video').outbound?.roundTripTime };
  };
  assert.deepEqual(resentAfter(undefined), { resent: 0, rtt: undefined }, 'no round trip measured: 200 ms kept');
  const measured = resentAfter(0.15);
  assert.equal(measured.resent, 1, 'held for three round trips');
  assert.ok(Math.abs((measured.rtt ?? 0) - 0.15) < 0.001, `round trip ${measured.rtt}`);
});

/** A Generic NACK (RFC 4585) from the peer for packet `seq` of `ssrc`. */
function nackFor(ssrc: number, seq: number): Buffer {
  const nack = Buffer.alloc(16);
  nack[0] = 0x81; // V=2, FMT=1
  nack[1] = 205;
  nack.writeUInt16BE(3, 2);
  nack.writeUInt32BE(0x01020304, 4);
  nack.writeUInt32BE(ssrc, 8);
  nack.writeUInt16BE(seq, 12);
  return nack;
}
