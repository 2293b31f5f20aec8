/** Start-up failures are errors the caller gets, not a crash of the process. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RawRpc } from '../helpers/rpc.js';
import { startServer } from '../helpers/server.js';

test('a busy port rejects start() with a clear message; the first server keeps serving', async () => {
  const first = await startServer();
  try {
    await assert.rejects(startServer({ port: first.port }), { message: `port ${first.port} on 127.0.0.1 is already in use` });
    const rpc = await RawRpc.open(first.url);
    assert.equal((await rpc.call('ping')).result?.['value'], 'pong');
    await rpc.close();
  } finally {
    await first.stop();
  }
});
