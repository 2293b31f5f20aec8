/**
 * Forwarding lanes (csrc/lane.c) with real sockets on loopback and real SRTP: a node:dgram peer
 * sends SRTP to a native socket whose lane forwards it back rewritten. What a lane must do: the
 * peer gets each packet under the template's SSRC and extensions, the lane's payload type, the
 * sequence and timestamp offsets, its payload and padding bit intact, protected with the sink's
 * keys; onBatch sees a lane slot, unprotected in place, with a record of each copy; a new epoch,
 * a closed sink or session, or another payload type sends packets to JS as they came; bad
 * arguments throw and arm nothing.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { test } from 'node:test';
import { waitFor } from '@kurento-ts/test-utils';
import {
  DatagramKind,
  FastPathCell,
  FlowCell,
  invalidateLanes,
  LANE_CELLS,
  LANE_TARGETS,
  laneCell,
  laneEpoch,
  NackCell,
  nativeBinding,
  NativeSrtpSession,
  NativeUdpSocket,
  OutboundCell,
  RingCell,
  ringSlotsLayout,
  StatsCell,
  TwccCell,
  WireCell,
  type LaneBooks,
  type LaneSinkBooks,
  type LaneTarget,
} from '../src/index.js';

const HOST = '127.0.0.1';
const PROFILE = 'AEAD_AES_128_GCM';

/** Keys of one direction: the sender's session protects, the receiver's unprotects. */
function keyPair(): { protect: NativeSrtpSession; unprotect: NativeSrtpSession } {
  const key = randomBytes(16);
  const salt = randomBytes(12);
  return { protect: new NativeSrtpSession(PROFILE, key, salt), unprotect: new NativeSrtpSession(PROFILE, key, salt) };
}

/** A plain RTP packet of ssrc 0x11111111: a 2-word extension, marker on odd sequences, padding bit on multiples of 5. */
function plainPacket(seq: number, pt = 96): Buffer {
  const payload = Buffer.from(`payload ${seq} `.repeat(20));
  const header = Buffer.from([0x90 | (seq % 5 === 0 ? 0x20 : 0), (seq % 2 ? 0x80 : 0) | pt, seq >> 8, seq & 0xff, 0, 1, 0x86, 0xa0, 0x11, 0x11, 0x11, 0x11, 0xbe, 0xde, 0, 1, 0x10, 0x42, 0, 0]);
  return Buffer.concat([header, payload]);
}

interface Rig {
  peer: Socket & { received: Buffer[] };
  socket: NativeUdpSocket;
  peerId: number;
  /** Client → server and server → client keys. */
  up: ReturnType<typeof keyPair>;
  down: ReturnType<typeof keyPair>;
  /** What onBatch saw: kind, lane id and the plain bytes of lane slots, records of the first target. */
  seen: { kind: number; lane: number; bytes: Buffer; offset: number; length: number }[];
  send(seq: number, pt?: number): void;
  /** A template with our SSRC 0x22222222 and a one-byte mid extension "v". */
  target(overrides?: Partial<LaneTarget>): LaneTarget;
}

async function rig(t: { after(fn: () => void): void }): Promise<Rig> {
  const peer = Object.assign(createSocket('udp4'), { received: [] as Buffer[] });
  peer.on('message', (m) => peer.received.push(m));
  peer.bind(0, HOST);
  await once(peer, 'listening');
  const seen: Rig['seen'] = [];
  const socket = new NativeUdpSocket({
    address: HOST,
    onBatch(s, count) {
      for (let i = 0; i < count; i++) {
        const kind = s.rxKind[i] ?? -1;
        const start = s.rxOffset(i);
        seen.push({ kind, lane: s.rxLane[i] ?? -1, bytes: Buffer.from(s.slab.subarray(start, start + (s.rxLength[i] ?? 0))), offset: s.laneOffset[i * LANE_TARGETS] ?? -1, length: s.laneLength[i * LANE_TARGETS] ?? -1 });
      }
    },
  });
  const peerId = socket.addPeer(HOST, peer.address().port);
  const up = keyPair();
  const down = keyPair();
  t.after(() => {
    socket.close();
    peer.close();
  });
  const header = Buffer.from([0x90, 0, 0, 0, 0, 0, 0, 0, 0x22, 0x22, 0x22, 0x22, 0xbe, 0xde, 0, 1, 0x10, 0x76, 0, 0]);
  return {
    peer,
    socket,
    peerId,
    up,
    down,
    seen,
    send(seq, pt = 96) {
      const packet = Buffer.alloc(2048);
      const plain = plainPacket(seq, pt);
      plain.copy(packet);
      peer.send(packet.subarray(0, up.protect.protectRtp(packet, 0, plain.length)), socket.port, HOST);
    },
    target: (overrides) => ({ socket, peer: peerId, srtp: down.protect, header, payloadType: 100, seqOffset: 1000, timestampOffset: 5000, ...overrides }),
  };
}

test('a lane forwards SRTP rewritten from its template and protected with the sink keys; JS sees the slot unprotected with its record', async (t) => {
  const r = await rig(t);
  const id = r.socket.setLane(0x11111111, 96, r.up.unprotect, [r.target()]);
  // From 64,530 on, so that the offset of 1,000 wraps our sequence numbers past 65,535.
  for (let i = 0; i < 20; i++) r.send(64530 + i);
  await waitFor('20 forwarded packets', () => r.peer.received.length === 20, 3000, 5);
  assert.equal(r.socket.stats().lanePackets, 20);
  assert.ok(r.seen.every((s) => s.kind === DatagramKind.lane && s.lane === id));
  for (const [i, datagram] of r.peer.received.entries()) {
    const seq = 64530 + i;
    const original = plainPacket(seq);
    assert.equal(r.seen[i]?.bytes.compare(original), 0, 'the receive slot holds the plain packet');
    assert.equal(r.seen[i]?.length, datagram.length, "the record has the copy's length");
    const length = r.down.unprotect.unprotectRtp(datagram, 0, datagram.length);
    assert.ok(length > 0, `packet ${seq} authenticates with the sink's keys`);
    const out = datagram.subarray(0, length);
    assert.equal(out[0], 0x90 | (seq % 5 === 0 ? 0x20 : 0), 'version, extension bit, the padding bit kept');
    assert.equal(out[1], (seq % 2 ? 0x80 : 0) | 100, 'marker kept, payload type rewritten');
    assert.equal(out.readUInt16BE(2), (seq + 1000) & 0xffff, 'sequence offset, wrapping');
    assert.equal(out.readUInt32BE(4), 100000 + 5000);
    assert.equal(out.readUInt32BE(8), 0x22222222);
    assert.deepEqual([...out.subarray(12, 20)], [0xbe, 0xde, 0, 1, 0x10, 0x76, 0, 0], "our extensions, not the source's");
    assert.equal(out.subarray(20).compare(original.subarray(20)), 0, 'payload as it came');
  }
});

test('a new epoch, another payload type, a closed sink session or socket: packets reach JS as they came, and the lane arms again', async (t) => {
  const r = await rig(t);
  r.socket.setLane(0x11111111, 96, r.up.unprotect, [r.target()]);
  const before = laneEpoch();
  invalidateLanes();
  assert.equal(laneEpoch(), before + 1);
  r.send(1);
  r.send(2, 97);
  await waitFor('two packets', () => r.seen.length === 2, 3000, 5);
  assert.deepEqual(r.seen.map((s) => s.kind), [DatagramKind.rtp, DatagramKind.rtp]);
  assert.ok(r.up.unprotect.unprotectRtp(r.seen[0]!.bytes, 0, r.seen[0]!.bytes.length) > 0, 'left protected, for JS to unprotect');
  assert.equal(r.peer.received.length, 0);

  r.socket.setLane(0x11111111, 96, r.up.unprotect, [r.target()]);
  r.send(3);
  r.send(4, 97);
  await waitFor('two more', () => r.seen.length === 4, 3000, 5);
  assert.deepEqual(r.seen.slice(2).map((s) => s.kind), [DatagramKind.lane, DatagramKind.rtp], 'armed again at the new epoch; the other payload type is not the lane');

  const sink = new NativeUdpSocket({ address: HOST, onBatch: () => undefined });
  const sinkPeer = sink.addPeer(HOST, r.peer.address().port);
  r.socket.setLane(0x11111111, 96, r.up.unprotect, [r.target({ socket: sink, peer: sinkPeer })]);
  r.send(5);
  await waitFor('sent from the other socket', () => r.peer.received.length === 2, 3000, 5);
  sink.close();
  r.send(6);
  await waitFor('sink closed: to JS', () => r.seen.length === 6, 3000, 5);
  assert.equal(r.seen[5]?.kind, DatagramKind.rtp);

  r.socket.setLane(0x11111111, 96, r.up.unprotect, [r.target()]);
  r.down.protect.close();
  r.send(7);
  await waitFor('session closed: to JS', () => r.seen.length === 7, 3000, 5);
  assert.equal(r.seen[6]?.kind, DatagramKind.rtp);
  assert.equal(r.peer.received.length, 2);
});

test("a lane of one epoch cell (a pipeline's) keeps running when another cell is bumped, and stops when its own or the thread's is", async (t) => {
  const r = await rig(t);
  const mine = laneCell(7);
  const other = laneCell(8);
  assert.notEqual(mine, other);
  assert.ok(mine > 0 && mine < LANE_CELLS && laneCell(7 + LANE_CELLS - 1) === mine, 'cells are 1..LANE_CELLS-1, by serial number modulo');
  const kinds = () => r.seen.map((s) => s.kind);
  r.socket.setLane(0x11111111, 96, r.up.unprotect, [r.target()], mine);
  const before = laneEpoch(mine);
  invalidateLanes(other);
  assert.equal(laneEpoch(mine), before, "another cell's bump leaves this cell's epoch");
  r.send(1);
  await waitFor('one packet', () => r.seen.length === 1, 3000, 5);
  invalidateLanes(mine);
  r.send(2);
  await waitFor('two packets', () => r.seen.length === 2, 3000, 5);
  r.socket.setLane(0x11111111, 96, r.up.unprotect, [r.target()], mine);
  r.send(3);
  await waitFor('three packets', () => r.seen.length === 3, 3000, 5);
  invalidateLanes();
  assert.equal(laneEpoch(mine), before + 2, "its own bump and the thread's both count");
  r.send(4);
  await waitFor('four packets', () => r.seen.length === 4, 3000, 5);
  assert.deepEqual(kinds(), [DatagramKind.lane, DatagramKind.rtp, DatagramKind.lane, DatagramKind.rtp]);
  assert.equal(r.peer.received.length, 2);
  const raw = r.socket.raw as unknown as { setLane(...args: unknown[]): number };
  const target = r.target();
  assert.throws(() => raw.setLane(1, 96, r.up.unprotect.raw, [[target.socket.raw, target.peer, target.srtp.raw, target.header, 100, 0, 0]], LANE_CELLS), /cell/);
});

test('a forged packet is refused by the lane and left to JS untouched; bad lane arguments throw and arm nothing', async (t) => {
  const r = await rig(t);
  r.socket.setLane(0x11111111, 96, r.up.unprotect, [r.target()]);
  const forged = plainPacket(9);
  const bytes = Buffer.concat([forged, Buffer.alloc(16)]);
  r.peer.send(bytes, r.socket.port, HOST);
  await waitFor('the forged packet', () => r.seen.length === 1, 3000, 5);
  assert.equal(r.seen[0]?.kind, DatagramKind.rtp);
  assert.equal(r.seen[0]?.bytes.compare(bytes), 0);

  const raw = r.socket.raw as unknown as { setLane(...args: unknown[]): number };
  const target = r.target();
  const rawTarget = (over: Partial<Record<number, unknown>>) => Object.assign([target.socket.raw, target.peer, target.srtp.raw, target.header, 100, 0, 0], over);
  assert.throws(() => raw.setLane(1, 96, r.socket.raw, [rawTarget({})]), /expected an SrtpSession/);
  assert.throws(() => raw.setLane(1, 96, r.up.unprotect.raw, [rawTarget({ 0: r.up.unprotect.raw })]), /expected a UdpSocket/);
  assert.throws(() => raw.setLane(1, 96, r.up.unprotect.raw, [rawTarget({ 3: Buffer.alloc(8) })]), /header template/);
  assert.throws(() => raw.setLane(1, 96, r.up.unprotect.raw, [rawTarget({ 1: 63 })]), /closed/);
  assert.throws(() => raw.setLane(1, 200, r.up.unprotect.raw, [rawTarget({})]), /payloadType/);
  assert.throws(() => raw.setLane(1, 96, r.up.unprotect.raw, []), /1 to 32 targets/);
  assert.throws(() => raw.setLane(1, 96, r.up.unprotect.raw, [[1, 2]]), /a lane target is/);
  for (let i = 0; i < 15; i++) r.socket.setLane(0x1000 + i, 96, r.up.unprotect, [target]);
  assert.throws(() => r.socket.setLane(0x2000, 96, r.up.unprotect, [target]), /too many lanes/);
  r.socket.clearLanes();
  r.socket.setLane(0x2000, 96, r.up.unprotect, [target]);
});

test("a lane's books: C's ledger layout is ledgers.ts's, and books that do not fit their targets or their own ledgers throw and arm nothing", async (t) => {
  const layout = nativeBinding()?.ledgerLayout;
  assert.deepEqual(layout, {
    stats: StatsCell.size,
    statsJitter16: StatsCell.jitter16,
    statsClockRate: StatsCell.clockRate,
    nack: NackCell.size,
    nackQuiet: NackCell.quiet,
    twcc: TwccCell.size,
    twccGeneration: TwccCell.generation,
    flow: FlowCell.size,
    flowFlowing: FlowCell.flowing,
    wire: WireCell.size,
    wireBytesSent: WireCell.bytesSent,
    fastPath: FastPathCell.size,
    outbound: OutboundCell.size,
    outboundPictureFresh: OutboundCell.pictureFresh,
    ring: RingCell.size,
    ringGeneration: RingCell.generation,
  });
  const r = await rig(t);
  const cells = (n: number) => new Float64Array(n);
  const ringCells = (capacity: number) => {
    const c = cells(RingCell.size);
    c[RingCell.slots] = 256;
    c[RingCell.capacity] = capacity;
    return c;
  };
  const sink = (over: Partial<LaneSinkBooks> = {}): LaneSinkBooks => ({ outbound: cells(OutboundCell.size), vp8: false, ring: undefined, wire: undefined, flow: cells(FlowCell.size), ...over });
  const books = (over: Partial<LaneBooks> = {}): LaneBooks => ({ nowMs: 0, fastPath: cells(FastPathCell.size), wire: undefined, stats: cells(StatsCell.size), nack: undefined, twcc: undefined, flow: undefined, sinks: [sink()], ...over });
  const arm = (b: LaneBooks) => r.socket.setLane(0x11111111, 96, r.up.unprotect, [r.target()], 0, b);
  assert.throws(() => arm(books({ sinks: [] })), /one sink per target/);
  assert.throws(() => arm(books({ stats: cells(2) })), /statistics must be a Float64Array of 6 cells/);
  assert.throws(() => arm(books({ fastPath: new Int32Array(2) as unknown as Float64Array })), /fast path counters must be a Float64Array/);
  assert.throws(() => arm(books({ twcc: { cells: cells(TwccCell.size), records: cells(3), extensionId: 3 } })), /twice its capacity/);
  assert.throws(() => arm(books({ sinks: [sink({ ring: { cells: ringCells(1024), slots: new ArrayBuffer(16), slab: Buffer.alloc(1024) } })] })), /ArrayBuffer of its slot arrays/);
  assert.throws(() => arm(books({ sinks: [sink({ ring: { cells: ringCells(1024), slots: new ArrayBuffer(ringSlotsLayout(256).bytes), slab: Buffer.alloc(512) } })] })), /as long as its capacity/);
  assert.throws(() => arm(books({ sinks: [sink({ ring: { cells: cells(RingCell.size), slots: new ArrayBuffer(64), slab: Buffer.alloc(0) } })] })), /power of two/);
  // Nothing armed: packets reach JS as they came.
  r.send(1);
  await waitFor('the packet', () => r.seen.length === 1, 3000, 5);
  assert.equal(r.seen[0]?.kind, DatagramKind.rtp);
  // Books that fit arm the lane; C declines what it cannot book (here: a flow not reported flowing) and JS gets the slot.
  arm(books({ flow: cells(FlowCell.size) }));
  r.send(2);
  await waitFor('the laned packet', () => r.seen.length === 2, 3000, 5);
  assert.equal(r.seen[1]?.kind, DatagramKind.lane);
});
