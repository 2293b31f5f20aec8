/** stop() with media workers leaves no worker thread, UDP socket, file descriptor or timer behind. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { waitFor } from '@kurento-ts/test-utils';
import { RawRpc } from '../helpers/rpc.js';
import { startServer } from '../helpers/server.js';

/** What the process holds: OS threads, descriptors (sockets of every thread), and the main thread's handles. */
function held(): { threads: number; fds: number; handles: string[] } {
  const threads = Number(/^Threads:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
  return { threads, fds: readdirSync('/proc/self/fd').length, handles: process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap').sort() };
}

test('stop() ends the worker threads and gives back their sockets and timers', async (t) => {
  // Warm up what the first server loads once per process (libuv's thread pool, werift's modules).
  await (await startServer({ mediaWorkers: 1 })).stop();
  const before = held();

  const server = await startServer({ mediaWorkers: 2 });
  const rpc = await RawRpc.open(server.url);
  for (let i = 0; i < 2; i++) {
    const pipeline = await rpc.value<string>('create', { type: 'MediaPipeline' });
    const endpoint = await rpc.value<string>('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } });
    await rpc.invoke(endpoint, 'generateOffer');
    await rpc.invoke(endpoint, 'gatherCandidates');
  }
  const running = held();
  assert.ok(running.threads >= before.threads + 2, `two more threads while running: ${before.threads} → ${running.threads}`);
  assert.ok(running.fds > before.fds, `the workers' sockets are open: ${before.fds} → ${running.fds} descriptors`);
  const workers = server.workerThreads;
  const exits = workers.map((w) => new Promise((resolve) => w.once('exit', resolve)));

  await rpc.close();
  await server.stop();
  await Promise.all(exits);
  assert.equal(server.workerThreads.length, 0);
  const after = await waitFor('threads, descriptors and handles back', () => {
    const now = held();
    return now.threads <= before.threads && now.fds <= before.fds && now.handles.join() === before.handles.join() ? now : null;
  }, 5000).catch(() => held());
  t.diagnostic(`threads ${before.threads} → ${running.threads} → ${after.threads}, descriptors ${before.fds} → ${running.fds} → ${after.fds}`);
  assert.ok(after.threads <= before.threads, `threads: ${before.threads} → ${after.threads}`);
  assert.ok(after.fds <= before.fds, `descriptors: ${before.fds} → ${after.fds}`);
  assert.deepEqual(after.handles, before.handles, 'no UDP socket, timer or server handle left in the main thread');
});
