/**
 * Control-plane floods: a socket that fires 10,000 requests at once is held to its request rate
 * while another client is served promptly; a socket that stops reading its answers is cut off
 * instead of making the server buffer them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { waitFor } from '@kurento-ts/test-utils';
import { RawRpc } from '../helpers/rpc.js';
import { startServer } from '../helpers/server.js';

/** Pings every 20 ms until stopped; returns the round-trip times in ms. */
function keepPinging(rpc: RawRpc): { stop(): Promise<number[]> } {
  const times: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      assert.equal((await rpc.call('ping')).result?.['value'], 'pong');
      times.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return times;
    },
  };
}

test('10,000 requests at once: every one is answered, those over the rate with 40009, and a bystander keeps fast answers', async () => {
  const server = await startServer({ maxRequestsPerSecond: 1000 });
  try {
    const bystander = await RawRpc.open(server.url);
    const pinger = keepPinging(bystander);
    const flooder = new WebSocket(server.url);
    await new Promise((resolve) => flooder.once('open', resolve));
    const codes = new Map<string, number>();
    let answered = 0;
    flooder.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { result?: unknown; error?: { code: number } };
      const key = m.error ? String(m.error.code) : 'ok';
      codes.set(key, (codes.get(key) ?? 0) + 1);
      answered++;
    });
    for (let id = 1; id <= 10_000; id++) flooder.send(`{"jsonrpc":"2.0","id":${id},"method":"ping"}`);
    await waitFor('10,000 answers', () => answered === 10_000, 20_000);
    const rtts = (await pinger.stop()).sort((a, b) => a - b);

    const ok = codes.get('ok') ?? 0;
    const refused = codes.get('40009') ?? 0;
    assert.equal(ok + refused, 10_000, `only pong or 40009: ${JSON.stringify([...codes])}`);
    assert.ok(ok >= 2000 && ok < 6000, `about the burst (2,000) plus the rate got through, not all: ${ok}`);
    assert.ok(rtts.length > 0);
    const p95 = rtts[Math.floor(rtts.length * 0.95)] ?? Infinity;
    assert.ok(p95 < 500, `bystander pings stay fast during the flood (p95 ${p95.toFixed(0)} ms)`);

    // The budget refills: after a pause the flooder is served again.
    await new Promise((r) => setTimeout(r, 1100));
    const again = new Promise<string>((resolve) => flooder.once('message', (d) => resolve(d.toString())));
    flooder.send('{"jsonrpc":"2.0","id":"after","method":"ping"}');
    assert.match(await again, /"value":"pong"/);
    flooder.close();
    await bystander.close();
  } finally {
    await server.stop();
  }
});

test('a client that stops reading its answers is cut off; the server does not buffer them', async () => {
  const server = await startServer({ maxRequestsPerSecond: 0 });
  try {
    const bystander = await RawRpc.open(server.url);
    const reader = await RawRpc.open(server.url);
    const pipeline = await reader.value<string>('create', { type: 'MediaPipeline' });
    await reader.invoke(pipeline, 'setName', { name: 'n'.repeat(500_000) });

    reader.socket.pause(); // the client's process no longer reads its socket
    let received = 0;
    reader.socket.on('message', () => received++);
    const closed = new Promise<void>((resolve) => reader.socket.once('close', () => resolve()));
    // 200 answers of half a megabyte: 100 MB if the server kept them all.
    for (let id = 1; id <= 200; id++) reader.socket.send(JSON.stringify({ jsonrpc: '2.0', id: `n${id}`, method: 'invoke', params: { object: pipeline, operation: 'getName', sessionId: reader.sessionId } }));
    await waitFor('the server to drop the socket', () => server.connections === 1, 15_000);
    reader.socket.resume();
    await closed;
    // 16 MiB of unread output is the cap (32 answers), plus what the kernel's socket buffers held.
    assert.ok(received < 80, `the server stopped sending and buffering long before 200 answers (${received} arrived)`);
    assert.equal((await bystander.call('ping')).result?.['value'], 'pong');
    await bystander.close();
  } finally {
    await server.stop();
  }
});
