/**
 * A forwarding lane books in C what the TypeScript path books (csrc/ledger.c against rtp/*.ts),
 * checked on twins. A node:dgram peer sends SRTP (VP8 with picture ids, a transport-cc extension)
 * to a native socket whose lane sends it back under our stream, with the server's real classes:
 * RtpFastPath with the NACK and transport-cc stages, SocketLanes, an OutboundStream with its
 * retransmission ring, flow and wire counters. Its twin gets the same plain packets on the
 * TypeScript path alone (RtpFastPath.receive, OutboundStream.send). After each phase, every
 * ledger of the two must be equal but for the arrival and send times (C's clock against the
 * test's), and the twin must have sent the very bytes the lane sent:
 * - in order: C books every packet (the TypeScript path sees none);
 * - a gap: C declines, the TypeScript path books it (and NACKs it), then every later packet of
 *   the lane until it is armed again, and C books again once the generator is quiet;
 * - a burst that outgrows the ring's first slab: C declines, the ring grows in JavaScript, and
 *   C books into the new slab after the lane is armed again;
 * - one-to-many: a lane with three sinks, each with its own stream and ring, through the same phases.
 * Audio (no NACK, no ring) is booked in order and across a gap.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { DatagramKind, NativeSrtpSession, NativeUdpSocket, OutboundCell, RingCell, ringSlotsLayout, StatsCell, TwccCell } from '@kurento-ts/native';
import { waitFor } from '@kurento-ts/test-utils';
import { FlowMonitor } from '../../src/graph/FlowMonitor.js';
import { LaneScope, type LaneRoute, type LaneSink } from '../../src/rtp/lanes.js';
import { OutboundStream } from '../../src/rtp/OutboundStream.js';
import { RtpFastPath, type FastPathSink, type RtpUnprotector } from '../../src/rtp/RtpFastPath.js';
import type { RetransmissionRing } from '../../src/rtp/RetransmissionRing.js';
import { nackStage, transportCcStage } from '../../src/rtp/stages.js';
import { SrtpContext } from '../../src/rtp/SrtpContext.js';
import { rtpPayloadLength } from '../../src/rtp/rtpHeader.js';
import { TwccFeedback } from '../../src/rtp/TwccFeedback.js';
import type { NackGenerator } from '../../src/rtp/NackGenerator.js';
import { WireCounters } from '../../src/webrtc/fastPathBinding.js';
import { SocketLanes } from '../../src/webrtc/forwardingLanes.js';
import type { MediaKind, RtpCodec } from '../../src/types/media.js';

const HOST = '127.0.0.1';
const PROFILE = 'AEAD_AES_128_GCM';
const SSRC = 0x11111111;
const TWCC_ID = 3;
const VP8: RtpCodec = { mimeType: 'video/VP8', clockRate: 90_000, parameters: {}, payloadType: 96 };
const OPUS: RtpCodec = { mimeType: 'audio/opus', clockRate: 48_000, channels: 2, parameters: {}, payloadType: 111 };

/** A plain VP8 packet with a transport-cc sequence number and a 15-bit picture id; `size` bytes of payload after the descriptor. */
function vp8Packet(seq: number, size = 200): Buffer {
  const header = Buffer.from([0x90, 96, 0, 0, 0, 0, 0, 0, 0x11, 0x11, 0x11, 0x11, 0xbe, 0xde, 0, 1, (TWCC_ID << 4) | 1, 0, 0, 0]);
  header.writeUInt16BE(seq & 0xffff, 2);
  header.writeUInt32BE((seq * 3000) >>> 0, 4);
  header.writeUInt16BE((seq + 7) & 0xffff, 17);
  const descriptor = Buffer.from([0x90, 0xc0, 0, 0, (seq >> 3) & 0xff]);
  descriptor.writeUInt16BE(0x8000 | ((seq >> 2) & 0x7fff), 2);
  // An even first byte: a keyframe's frame tag, so that the first packet starts the stream.
  return Buffer.concat([header, descriptor, Buffer.alloc(size, (seq * 2) & 0xff)]);
}

/** A plain Opus-like packet with a transport-cc sequence number: 20 ms frames of `size` bytes. */
function opusPacket(seq: number, size = 80): Buffer {
  const header = Buffer.from([0x90, 111, 0, 0, 0, 0, 0, 0, 0x11, 0x11, 0x11, 0x11, 0xbe, 0xde, 0, 1, (TWCC_ID << 4) | 1, 0, 0, 0]);
  header.writeUInt16BE(seq & 0xffff, 2);
  header.writeUInt32BE((seq * 960) >>> 0, 4);
  header.writeUInt16BE((seq + 7) & 0xffff, 17);
  return Buffer.concat([header, Buffer.alloc(size, seq & 0xff)]);
}

/** The stream both sides loop back: video as Chrome sends it (NACK, a ring), or audio (neither). */
interface Media {
  kind: MediaKind;
  codec: RtpCodec;
  retransmissions: boolean;
  nack: boolean;
  packet(seq: number, size?: number): Buffer;
}
const VIDEO: Media = { kind: 'video', codec: VP8, retransmissions: true, nack: true, packet: vp8Packet };
const AUDIO: Media = { kind: 'audio', codec: OPUS, retransmissions: false, nack: false, packet: opusPacket };

/** One side: the server's classes for one endpoint looping its peer's stream back, and what they did. */
interface Side {
  fastPath: RtpFastPath;
  twcc: TwccFeedback;
  /** The sinks' streams: one for a loopback, more for one-to-many. */
  outs: OutboundStream[];
  flow: FlowMonitor;
  rtcp: Buffer[];
}

function side(media: Media, srtpIn: RtpUnprotector, key: Buffer, salt: Buffer, transmit: (packet: Buffer) => void, lanes: LaneScope, sinks: number): Side {
  const rtcp: Buffer[] = [];
  const flow = new FlowMonitor(() => undefined);
  const { codec } = media;
  const payloadMap = new Int16Array(128).fill(-1);
  payloadMap[codec.payloadType] = codec.payloadType;
  const outs = Array.from({ length: sinks }, (_, i) => {
    const out = new OutboundStream({ ssrc: 0x22222222 + i, clockRate: codec.clockRate, mid: { id: 4, value: 'v' }, retransmissions: media.retransmissions, lanes }, new SrtpContext(PROFILE, key, salt), transmit);
    out.route({ payloadMap, codecs: [codec] });
    return out;
  });
  const sink: FastPathSink = {
    rtp(kind, packet) {
      const payload = rtpPayloadLength(packet);
      flow.count('in', kind, payload);
      for (const out of outs) if (out.send(packet, performance.now())) flow.count('out', kind, payload);
    },
    rtcp: (p) => rtcp.push(p),
    keyframeRequest: () => undefined,
    keyframeNeeded: () => undefined,
    senderReport: () => undefined,
    failure: (e) => assert.fail(String(e)),
  };
  const twcc = new TwccFeedback(() => undefined, () => 1, () => SSRC);
  const fastPath = new RtpFastPath(srtpIn, sink, [nackStage, transportCcStage(twcc, TWCC_ID)], lanes);
  fastPath.addInbound(SSRC, { kind: media.kind, clockRate: codec.clockRate, payloadTypes: [codec.payloadType], ...(media.nack ? { nack: { senderSsrc: 1 } } : {}) });
  return { fastPath, twcc, outs, flow, rtcp };
}

/** Everything both sides book that does not depend on the clock. */
function ledgers(s: Side, media: Media): Record<string, unknown> {
  const stream = s.fastPath.session.streamOf(media.packet(0));
  assert.ok(stream);
  const stats = [...stream.stats.cells].filter((_, i) => i !== StatsCell.jitter16 && i !== StatsCell.lastTransit);
  const nack = stream.slots.find((slot) => slot !== undefined) as NackGenerator | undefined;
  const twccCount = s.twcc.cells[TwccCell.count] ?? 0;
  const flow = [s.flow.in[media.kind].packets, s.flow.in[media.kind].bytes, s.flow.out[media.kind].packets, s.flow.out[media.kind].bytes];
  const common = { stats, twcc: [...s.twcc.cells], twccSeqs: [...s.twcc.records.subarray(0, twccCount)], flow, received: s.fastPath.received };
  assert.equal(nack !== undefined, media.nack, 'a NACK generator for video, none for audio');
  return { ...common, ...(nack ? { nack: [...nack.cells], nackSent: nack.sent } : {}), outs: s.outs.map((out) => outboundLedgers(out, media)) };
}

/** One sink's books: its stream's cells and, for video, its retransmission ring. */
function outboundLedgers(out: OutboundStream, media: Media): Record<string, unknown> {
  const outbound = [...out.cells].filter((_, i) => i !== OutboundCell.lastSentMs);
  const ring = ringOf(out);
  if (!ring) {
    assert.ok(!media.retransmissions, 'audio: no ring');
    return { outbound };
  }
  const slots = ring.cells[RingCell.slots] ?? 0;
  const layout = ringSlotsLayout(slots);
  const bytes = new Uint8Array(ring.slotBuffer);
  const slotArrays = [...bytes.subarray(0, layout.sentMs), ...bytes.subarray(layout.queueStarts)];
  // The bytes of every packet held (by its slot, not by age: the two clocks differ by a little).
  const seqs = new Int32Array(ring.slotBuffer, layout.seqs, slots);
  const starts = new Float64Array(ring.slotBuffer, layout.starts, slots);
  const lengths = new Uint16Array(ring.slotBuffer, layout.lengths, slots);
  const capacity = ring.cells[RingCell.capacity] ?? 0;
  const held: string[] = [];
  for (let slot = 0; slot < slots; slot++) {
    if ((seqs[slot] ?? -1) < 0 || !ring.slab) continue;
    const at = (starts[slot] ?? 0) % capacity;
    held.push(`${seqs[slot]}:${ring.slab.subarray(at, at + (lengths[slot] ?? 0)).toString('hex')}`);
  }
  return { outbound, ring: [...ring.cells], ringSlots: Buffer.from(slotArrays).toString('hex'), ringHeld: held };
}

const ringOf = (out: OutboundStream): RetransmissionRing | undefined => (out as unknown as { ring: RetransmissionRing | undefined }).ring;

/** The rig's handles (see rig). */
type Rig = Awaited<ReturnType<typeof rig>>;

/** A native socket whose lane loops `media` back to a node:dgram peer (side a), and its TypeScript twin (side b). */
async function rig(t: { after(fn: () => void): void }, media: Media, sinks = 1) {
  const key = randomBytes(16);
  const salt = randomBytes(12);
  const upKey = randomBytes(16);
  const upSalt = randomBytes(12);
  const peer: Socket & { received: Buffer[] } = Object.assign(createSocket('udp4'), { received: [] as Buffer[] });
  peer.on('message', (m) => peer.received.push(m));
  peer.bind(0, HOST);
  await once(peer, 'listening');
  const lanes = LaneScope.forPipeline();
  const wire = new WireCounters();
  const kinds: number[] = [];
  let socketLanes: SocketLanes | undefined;
  let peerId = -1;
  const socket = new NativeUdpSocket({
    address: HOST,
    onBatch(s, count) {
      for (let i = 0; i < count; i++) {
        const kind = s.rxKind[i] ?? -1;
        kinds.push(kind);
        if (kind === DatagramKind.lane) socketLanes?.book(i);
        if (kind !== DatagramKind.rtp) continue;
        const packet = s.slab.subarray(s.rxOffset(i), s.rxOffset(i) + (s.rxLength[i] ?? 0));
        if (!a.fastPath.receive(packet)) assert.fail('the fast path takes the stream');
        wire.packetsReceived++;
        wire.bytesReceived += packet.length;
        socketLanes?.afterPacket(packet);
      }
    },
  });
  const srtpIn = new NativeSrtpSession(PROFILE, upKey, upSalt);
  const a = side(media, { profile: PROFILE, unprotect: (p) => srtpIn.unprotectRtp(p, 0, p.length) }, key, salt, (p) => socket.sendTo(p, HOST, peer.address().port), lanes, sinks);
  const twinSent: Buffer[] = [];
  const b = side(media, { profile: PROFILE, unprotect: (p) => p.length }, key, salt, (p) => twinSent.push(Buffer.from(p)), LaneScope.forPipeline(), sinks);
  const laneSrtps = a.outs.map(() => new NativeSrtpSession(PROFILE, key, salt));
  t.after(() => {
    socket.close();
    peer.close();
    for (const srtp of laneSrtps) srtp.close();
    srtpIn.close();
  });
  peerId = socket.addPeer(HOST, peer.address().port);
  // The lane's sink, as fastPathBinding and WebRtcEndpoint make it.
  const routeOf = (): LaneRoute | undefined => {
    const laneSinks: LaneSink[] = [];
    for (const [i, out] of a.outs.entries()) {
      const header = out.laneHeader(SSRC, media.codec.payloadType);
      const srtp = laneSrtps[i];
      if (!header || !srtp) return undefined;
      laneSinks.push({
        target: { socket, peer: peerId, srtp, ...header },
        books() {
          const ledgers = out.laneLedgers();
          return ledgers && { ...ledgers, wire: wire.cells, flow: a.flow.cells('out', media.kind) };
        },
        sent(packet, payloadLength, plain, headerLength, nowMs) {
          wire.bytesSent += packet.length;
          wire.packetsSent++;
          out.laneSent(packet, payloadLength, plain, headerLength, nowMs);
          a.flow.count('out', media.kind, payloadLength);
        },
      });
    }
    return { sinks: laneSinks, received: (bytes) => a.flow.count('in', media.kind, bytes), flow: a.flow.cells('in', media.kind) };
  };
  socketLanes = new SocketLanes(socket, a.fastPath, srtpIn, routeOf, wire, lanes);

  const upstream = new NativeSrtpSession(PROFILE, upKey, upSalt);
  t.after(() => upstream.close());
  const send = (seqs: number[], size?: number): void => {
    for (const seq of seqs) {
      const plain = media.packet(seq, size);
      const packet = Buffer.alloc(2048);
      plain.copy(packet);
      peer.send(packet.subarray(0, upstream.protectRtp(packet, 0, plain.length)), socket.port, HOST);
      b.fastPath.receive(Buffer.from(plain));
    }
  };
  // Batches C forwarded and booked whole never reach JS: what it saw, and what C booked besides.
  const settle = async (what: string): Promise<void> => {
    await waitFor(what, () => a.fastPath.received === b.fastPath.received && peer.received.length === twinSent.length, 5000, 5).catch((e: unknown) => {
      throw new Error(`${String(e)}: the lane's side took ${a.fastPath.received} of ${b.fastPath.received} packets, the peer got ${peer.received.length} of ${twinSent.length}`);
    });
  };
  let seenLaned = 0;
  const bookedInC = (): number => socket.stats().lanePackets - seenLaned - kinds.filter((k) => k === DatagramKind.lane).length;
  /** Starts a phase: returns how many packets C booked in it so far. */
  const nextPhase = (): (() => number) => {
    seenLaned += kinds.filter((k) => k === DatagramKind.lane).length;
    kinds.length = 0;
    const start = bookedInC();
    return () => bookedInC() - start;
  };
  const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
  const sameBooks = (phase: string): void => {
    assert.deepEqual(ledgers(a, media), ledgers(b, media), `${phase}: every ledger as the TypeScript path keeps it`);
    assert.deepEqual(peer.received.map((p) => p.toString('hex')), twinSent.map((p) => p.toString('hex')), `${phase}: the lane sent the bytes the TypeScript path sends`);
  };
  /** Sends `perTick` packets at a time, a timer tick apart (the peer's socket buffer takes a few at once, not a burst to three sinks). */
  const pace = async (seqs: number[], size?: number, perTick = 1): Promise<void> => {
    for (let i = 0; i < seqs.length; i += perTick) {
      send(seqs.slice(i, i + perTick), size);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  };

  return { a, b, kinds, wire, send, settle, bookedInC, nextPhase, range, sameBooks, pace };
}

/**
 * Video through every phase on a lane with `sinks` sinks: in order, a gap, armed again, a burst
 * that grows every sink's ring, then into the grown rings. `inOrder` checks more of the first phase.
 */
async function videoPhases(r: Rig, sinks: number, inOrder?: (window: { before: number; after: number }) => void): Promise<void> {
  const { a, kinds, wire, send, settle, bookedInC, nextPhase, range, sameBooks, pace } = r;
  // In order: the first packet (and any in its receive batch) takes the TypeScript path and arms the lane; C books the rest.
  const before = performance.now();
  await pace(range(1000, 1041));
  await settle('41 packets');
  const after = performance.now();
  assert.ok(kinds.length >= 1 && kinds.filter((k) => k !== DatagramKind.rtp).length === 0, 'JavaScript saw only what came before the lane was armed');
  assert.equal(bookedInC(), 41 - kinds.length, 'C forwarded and booked every packet after those');
  assert.ok(bookedInC() >= 30);
  sameBooks('in order');
  assert.equal(a.fastPath.laned, bookedInC());
  assert.equal(wire.packetsSent, sinks * bookedInC(), 'wire counters: the lane counts what it sent to each sink');
  inOrder?.({ before, after });

  // A gap: C declines at 1042, JavaScript books it and NACKs 1041; 1041 comes late.
  nextPhase();
  // At once: both sides see the NACK's retry interval (a clock decision) the same way.
  send([1042, 1043, 1041, 1044]);
  await settle('the gap');
  assert.deepEqual([...kinds], new Array<number>(4).fill(DatagramKind.lane), 'after a decline, JavaScript books every packet of the lane');
  assert.equal(a.rtcp.length, 1, 'the TypeScript path sent one NACK for the gap, whatever the number of sinks');
  sameBooks('across a gap');
  // The generator goes quiet after its retry interval; 50 packets later the lane is armed again and C books again.
  await new Promise((resolve) => setTimeout(resolve, 80));
  const rearmed = nextPhase();
  await pace(range(1045, 1110));
  await settle('65 more');
  assert.deepEqual([...kinds], new Array<number>(46).fill(DatagramKind.lane), 'JavaScript booked until the 50th declined packet armed the lane again');
  assert.equal(rearmed(), 19, 'then C booked again');
  sameBooks('after the lane was armed again');

  // A burst of 1,100-byte packets outgrows each ring's first 32 KB within its 200 ms: C declines, the rings grow in JavaScript.
  // First the packets held grow older than 200 ms, so that no decision of either side's ring rests on which clock read an age.
  const older = (): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, 250));
  await older();
  const ringsBefore = a.outs.map((out) => ringOf(out)?.bytes ?? 0);
  const burst = nextPhase();
  await pace(range(1110, 1170), 1100, 10);
  await settle('the burst');
  assert.ok(a.outs.every((out, i) => (ringOf(out)?.bytes ?? 0) > (ringsBefore[i] ?? 0)), 'every sink’s ring grew');
  const burstInC = burst();
  assert.ok(burstInC > 0 && kinds.includes(DatagramKind.lane), `C booked until a ring had to grow (${burstInC}), JavaScript after`);
  sameBooks('across the rings growing');
  await older();
  const grown = nextPhase();
  await pace(range(1170, 1230), 300);
  await settle('after the burst');
  assert.ok(grown() > 0, 'C books into the new slabs once the lane is armed again');
  sameBooks('into the grown rings');
}

test('a forwarding lane books in C exactly what the TypeScript path books: in order, across a gap it leaves to JavaScript, across a ring that grows', async (t) => {
  const r = await rig(t, VIDEO);
  await videoPhases(r, 1, ({ before, after }) => {
    const lastSent = r.a.outs[0]?.cells[OutboundCell.lastSentMs] ?? 0;
    assert.ok(lastSent > before && lastSent < after, `C's clock follows performance.now() (${lastSent} in ${before}..${after})`);
    const capacity = r.a.twcc.cells[TwccCell.capacity] ?? 0;
    const arrivals = [...r.a.twcc.records.subarray(capacity + 1, capacity + (r.a.twcc.cells[TwccCell.count] ?? 0))];
    assert.ok(arrivals.every((us) => us > before * 1000 && us < after * 1000), 'transport-cc arrival times in µs of that clock');
  });
});

test('one-to-many: a lane with three sinks books each sink’s stream and ring in C as the TypeScript path books them, in order, across a gap and across the rings growing', async (t) => {
  await videoPhases(await rig(t, VIDEO, 3), 3);
});

test('audio (no NACK, no ring): C books in order and across a gap, which only its statistics count', async (t) => {
  const { a, kinds, settle, bookedInC, nextPhase, range, sameBooks, pace } = await rig(t, AUDIO);
  await pace(range(5000, 5041));
  await settle('41 audio packets');
  assert.ok(kinds.length >= 1 && kinds.filter((k) => k !== DatagramKind.rtp).length === 0, 'JavaScript saw only what came before the lane was armed');
  assert.equal(bookedInC(), 41 - kinds.length);
  sameBooks('audio in order');
  const gap = nextPhase();
  await pace(range(5046, 5060));
  await settle('after the gap');
  assert.deepEqual([...kinds], [], 'nothing for JavaScript: no NACK to send');
  assert.equal(gap(), 14);
  assert.equal(a.fastPath.session.streamStats('audio').inbound?.packetsLost, 5, 'the five missing packets are counted lost');
  sameBooks('audio across a gap');
});
