/**
 * NativeUdpTransport, werift's Transport shape over a native socket, with a node:dgram peer:
 * STUN from a stranger and DTLS from a trusted peer reach onData as copies with their source;
 * RTP from the peer goes to the media hook in the slab and its queued echo leaves in the batch's
 * sendmmsg; send() answers the last source; close() gives the port back.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { test } from 'node:test';
import { waitFor } from '@kurento-ts/test-utils';
import { DatagramKind, NativeUdpTransport } from '../src/index.js';

const HOST = '127.0.0.1';


test('ICE and DTLS datagrams to onData, media to the hook, echoes queued in the batch', async (t) => {
  const peer = createSocket('udp4');
  const received: Buffer[] = [];
  peer.on('message', (m) => received.push(m));
  peer.bind(0, HOST);
  await once(peer, 'listening');
  const transport = new NativeUdpTransport({ address: HOST });
  t.after(() => {
    void transport.close();
    peer.close();
  });
  const data: [Buffer, readonly [string, number]][] = [];
  transport.onData = (d, addr) => data.push([d, addr]);
  let peerId = -1;
  let media = 0;
  transport.media = (socket, slot, kind) => {
    if (kind !== DatagramKind.rtp) return false;
    media++;
    transport.queue(socket.rxOffset(slot), socket.rxLength[slot] ?? 0, peerId);
    return true;
  };
  assert.equal(transport.type, 'udp');
  assert.deepEqual(transport.address, { address: HOST, port: transport.socket.port, family: 'IPv4' });
  const from = [HOST, peer.address().port] as const;

  const stun = Buffer.from([0, 1, 0, 0, 0x21, 0x12, 0xa4, 0x42, ...Array(12).fill(1)]);
  const rtp = Buffer.from([0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 5, 9, 9]);
  const rtcp = Buffer.from([0x80, 201, 0, 1, 0, 0, 0, 5]);
  const dtls = Buffer.from([22, 0xfe, 0xfd, 0, 0]);
  peer.send(rtp, transport.address.port, HOST); // a stranger's media: dropped in C
  peer.send(stun, transport.address.port, HOST);
  await waitFor('the STUN request', () => data.length === 1, 3000, 5);
  assert.deepEqual(data[0], [stun, from]);
  assert.equal(media, 0);

  peerId = transport.trust(from);
  for (const d of [dtls, rtp, rtcp]) peer.send(d, transport.address.port, HOST);
  await waitFor('the echo and the DTLS and RTCP datagrams', () => received.length === 1 && data.length === 3, 3000, 5);
  assert.deepEqual(received[0], rtp, 'the media hook queued the RTP back from its receive slot');
  assert.deepEqual(
    data.slice(1).map(([d]) => d),
    [dtls, rtcp],
    'RTCP the hook declined goes to onData',
  );
  await transport.send(Buffer.from('answer'));
  await waitFor('send() to the last source', () => received.length === 2, 3000, 5);
  assert.equal(received[1]?.toString(), 'answer');
  assert.equal(transport.socket.stats().droppedUnknownSource, 1);
  await transport.close();
  assert.equal(transport.closed, true);
});
