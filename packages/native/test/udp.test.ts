/**
 * The native UDP socket with real sockets on loopback: node:dgram peers send and receive.
 * What it must do: RFC 7983 kinds, strangers' non-STUN dropped, batches in the slab, echo from
 * the receive slot and from send slots with one sendmmsg, port ranges, clear errors, the port
 * given back on close.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { test } from 'node:test';
import { waitFor } from '@kurento-ts/test-utils';
import { DatagramKind, NativeUdpSocket } from '../src/index.js';

const HOST = '127.0.0.1';

async function dgramPeer(type: 'udp4' | 'udp6' = 'udp4', host = HOST): Promise<Socket & { received: Buffer[] }> {
  const s = Object.assign(createSocket(type), { received: [] as Buffer[] });
  s.on('message', (m) => s.received.push(m));
  s.bind(0, host);
  await once(s, 'listening');
  return s;
}


const datagrams = {
  stun: Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, ...Array(12).fill(7)]),
  dtls: Buffer.from([22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
  rtp: Buffer.from([0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 1, 2, 3]),
  rtcp: Buffer.from([0x80, 200, 0, 6, 0, 0, 0, 9]),
  other: Buffer.from([0x50, 1, 2, 3]),
};

test('datagrams arrive with their RFC 7983 kind; a stranger gets only STUN through until it is a peer', async (t) => {
  const peer = await dgramPeer();
  const seen: { kind: number; peer: number; bytes: Buffer; from: [string, number] }[] = [];
  const socket = new NativeUdpSocket({
    address: HOST,
    onBatch(s, count) {
      for (let i = 0; i < count; i++) {
        if (s.rxKind[i] === DatagramKind.dropped) continue;
        seen.push({ kind: s.rxKind[i] ?? -1, peer: s.rxPeer[i] ?? -2, bytes: s.copyDatagram(i), from: s.source(i) });
      }
    },
  });
  t.after(() => {
    socket.close();
    peer.close();
  });
  assert.ok(socket.port > 0 && socket.family === 4);
  for (const d of Object.values(datagrams)) peer.send(d, socket.port, HOST);
  await waitFor('five datagrams', () => socket.stats().packetsIn === 5, 3000, 5);
  assert.deepEqual(
    seen.map((s) => s.kind),
    [DatagramKind.stun],
  );
  assert.deepEqual(seen[0]?.from, [HOST, peer.address().port]);
  assert.equal(seen[0]?.peer, -1);
  assert.equal(socket.stats().droppedUnknownSource, 4);

  const id = socket.addPeer(HOST, peer.address().port);
  assert.equal(socket.addPeer(HOST, peer.address().port), id, 'the same address keeps its id');
  seen.length = 0;
  for (const d of Object.values(datagrams)) peer.send(d, socket.port, HOST);
  await waitFor('five datagrams from a peer', () => seen.length === 5, 3000, 5);
  assert.deepEqual(
    seen.map((s) => [s.kind, s.peer]),
    [DatagramKind.stun, DatagramKind.dtls, DatagramKind.rtp, DatagramKind.rtcp, DatagramKind.other].map((k) => [k, id]),
  );
  assert.deepEqual(
    seen.map((s) => s.bytes),
    Object.values(datagrams),
  );

  socket.removePeer(id);
  peer.send(datagrams.rtp, socket.port, HOST);
  await waitFor('a removed peer dropped again', () => socket.stats().droppedUnknownSource === 5, 3000, 5);
});

test('echo: descriptors pointing at receive slots go back in one sendmmsg per batch, bytes intact', async (t) => {
  const peer = await dgramPeer();
  const socket = new NativeUdpSocket({
    address: HOST,
    batch: 16,
    onBatch(s, count) {
      let n = 0;
      for (let i = 0; i < count; i++) {
        if (s.rxKind[i] !== DatagramKind.rtp) continue;
        s.txOffset[n] = s.rxOffset(i);
        s.txLength[n] = s.rxLength[i] ?? 0;
        s.txPeer[n] = s.rxPeer[i] ?? -1;
        n++;
      }
      return n;
    },
  });
  t.after(() => {
    socket.close();
    peer.close();
  });
  socket.addPeer(HOST, peer.address().port);
  const sent: Buffer[] = [];
  for (let i = 0; i < 300; i++) {
    const packet = Buffer.alloc(100 + (i % 1100), i & 0xff);
    packet[0] = 0x80;
    packet[1] = 96;
    packet.writeUInt16BE(i, 2);
    sent.push(packet);
    peer.send(packet, socket.port, HOST);
    // Bursts of 30: the peer's default receive buffer holds a burst, not all 300 at once.
    if (i % 30 === 29) await waitFor(`echoes up to ${i}`, () => peer.received.length === i + 1, 3000, 5);
  }
  await waitFor('300 echoes', () => peer.received.length === 300, 3000, 5);
  const bySeq = new Map(peer.received.map((m) => [m.readUInt16BE(2), m]));
  for (const [i, packet] of sent.entries()) assert.ok(bySeq.get(i)?.equals(packet), `echo ${i} intact`);
  const stats = socket.stats();
  assert.equal(stats.packetsOut, 300);
  assert.equal(stats.sendErrors, 0);
  assert.ok(stats.batches <= 300, `batches: ${stats.batches} for 300 packets`);
});

test('send slots: flush() outside a batch, a destination per descriptor, bad descriptors counted and skipped', async (t) => {
  const [a, b] = [await dgramPeer(), await dgramPeer()];
  const socket = new NativeUdpSocket({ address: HOST, onBatch: () => 0 });
  t.after(() => {
    socket.close();
    a.close();
    b.close();
  });
  const ids = [socket.addPeer(HOST, a.address().port), socket.addPeer(HOST, b.address().port)];
  for (let j = 0; j < 10; j++) {
    const at = socket.txSlotOffset(j);
    socket.slab.fill(j, at, at + 50);
    socket.txOffset[j] = at;
    socket.txLength[j] = 50;
    socket.txPeer[j] = ids[j % 2] ?? -1;
  }
  socket.txPeer[9] = 63; // no such peer
  socket.txOffset[8] = socket.slab.length - 10; // past the slab's end
  assert.equal(socket.flush(10), 8);
  await waitFor('eight datagrams', () => a.received.length + b.received.length === 8, 3000, 5);
  assert.deepEqual(
    a.received.map((m) => m[0]),
    [0, 2, 4, 6],
  );
  assert.deepEqual(
    b.received.map((m) => m[0]),
    [1, 3, 5, 7],
  );
  assert.equal(socket.stats().sendErrors, 2);
  assert.ok(socket.sendTo(Buffer.from('hello'), HOST, a.address().port));
  await waitFor('sendTo', () => a.received.length === 5, 3000, 5);
  assert.equal(a.received[4]?.toString(), 'hello');
});

/** Three consecutive free ports below the ephemeral range (other tests on this machine take those). */
function freeRange(): [number, number] {
  for (let base = 20_000 + Math.floor(Math.random() * 10_000); ; base += 3) {
    const taken: NativeUdpSocket[] = [];
    try {
      for (let p = base; p < base + 3; p++) taken.push(new NativeUdpSocket({ address: HOST, port: p, onBatch: () => 0 }));
      return [base, base + 2];
    } catch {
      // one was in use: try the next three
    } finally {
      for (const s of taken) s.close();
    }
  }
}

test('port ranges, clear errors, oversized datagrams, and the port given back on close', async (t) => {
  const open: NativeUdpSocket[] = [];
  t.after(() => {
    for (const s of open) s.close();
  });
  const range = freeRange();
  const [base] = range;
  await new Promise((r) => setTimeout(r, 20));
  const sockets = [0, 1, 2].map(() => new NativeUdpSocket({ address: HOST, port: range, onBatch: () => 0 }));
  open.push(...sockets);
  assert.deepEqual(
    sockets.map((s) => s.port).sort(),
    [base, base + 1, base + 2],
  );
  assert.throws(() => new NativeUdpSocket({ address: HOST, port: range, onBatch: () => 0 }), (e: Error & { code?: string }) => e.code === 'EADDRINUSE' && /cannot bind 127\.0\.0\.1/.test(e.message));
  for (const s of sockets) s.close();
  await new Promise((r) => setTimeout(r, 20));
  // Given back: node:dgram can bind every port of the range now.
  for (const port of [base, base + 1, base + 2]) {
    const d = createSocket('udp4');
    d.bind(port, HOST);
    await once(d, 'listening');
    d.close();
  }

  assert.throws(() => new NativeUdpSocket({ address: 'localhost', onBatch: () => 0 }), /IPv4 or IPv6 literal/);
  assert.throws(() => new NativeUdpSocket({ address: HOST, batch: 0, onBatch: () => 0 }), /batch must be a whole number from 1 to 256/);
  assert.throws(() => new NativeUdpSocket({ address: HOST, port: [10, 5], onBatch: () => 0 }), /maximum port/);
  const reached: number[] = [];
  const small = new NativeUdpSocket({
    address: HOST,
    stride: 256,
    peersOnly: false,
    onBatch(s, count) {
      for (let i = 0; i < count; i++) if (s.rxKind[i] !== DatagramKind.dropped) reached.push(s.rxLength[i] ?? 0);
    },
  });
  open.push(small);
  assert.throws(() => small.addPeer('::1', 5000), /IPv4 address on an IPv4 socket/);
  assert.throws(() => small.addPeer(HOST, 0), /port/);
  const peer = await dgramPeer();
  t.after(() => peer.close());
  peer.send(Buffer.alloc(300, 0x80), small.port, HOST);
  peer.send(Buffer.alloc(200, 0x80), small.port, HOST);
  await waitFor('two datagrams', () => small.stats().packetsIn === 2, 3000, 5);
  assert.equal(small.stats().truncated, 1);
  assert.deepEqual(reached, [200], 'only the one that fitted reached JS');
  small.close();
  small.close();
  assert.throws(() => small.flush(1), /closed/);
  assert.throws(() => small.stats(), /closed/);
});

test('IPv6 loopback', async (t) => {
  const peer = await dgramPeer('udp6', '::1');
  const socket = new NativeUdpSocket({
    address: '::1',
    onBatch(s, count) {
      for (let i = 0; i < count; i++) {
        s.txOffset[i] = s.rxOffset(i);
        s.txLength[i] = s.rxLength[i] ?? 0;
        s.txPeer[i] = s.rxPeer[i] ?? -1;
      }
      return count;
    },
  });
  t.after(() => {
    socket.close();
    peer.close();
  });
  assert.equal(socket.family, 6);
  socket.addPeer('::1', peer.address().port);
  peer.send(datagrams.rtp, socket.port, '::1');
  await waitFor('an IPv6 echo', () => peer.received.length === 1, 3000, 5);
  assert.deepEqual(peer.received[0], datagrams.rtp);
});

test('a handler that throws is an uncaughtException, as in any event callback, and the socket goes on', async () => {
  const index = new URL('../src/index.ts', import.meta.url).pathname;
  const script = `
    import { createSocket } from 'node:dgram';
    const { NativeUdpSocket } = await import(${JSON.stringify(index)});
    let batches = 0, caught = '';
    process.on('uncaughtException', (e) => { caught = e.message; });
    const socket = new NativeUdpSocket({ address: '127.0.0.1', peersOnly: false, onBatch() { if (++batches === 1) throw new Error('handler bug'); } });
    const peer = createSocket('udp4');
    peer.bind(0, '127.0.0.1', async () => {
      for (let i = 0; i < 2; i++) {
        peer.send(Buffer.from([0x80, 96, 0, i]), socket.port, '127.0.0.1');
        await new Promise((r) => setTimeout(r, 100));
      }
      console.log(JSON.stringify({ batches, caught }));
      socket.close();
      peer.close();
    });`;
  const { spawnSync } = await import('node:child_process');
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout.trim()), { batches: 2, caught: 'handler bug' });
});
