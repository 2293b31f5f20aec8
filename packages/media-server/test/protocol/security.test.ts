/** The control port: token authentication, TLS, and the loopback default. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import kurentoClient from 'kurento-client';
import WebSocket from 'ws';
import { RawRpc } from '../helpers/rpc.js';
import { startServer } from '../helpers/server.js';

/** Resolves with the HTTP status of a refused upgrade, or 101 when the socket opens. */
function upgradeStatus(url: string, options: WebSocket.ClientOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options);
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('error', reject);
  });
}

test('with authToken, a client without the token is refused with 401; access_token in the URL or a Bearer header is let in', async () => {
  const server = await startServer({ authToken: 's3cret' });
  try {
    assert.equal(await upgradeStatus(server.url), 401);
    assert.equal(await upgradeStatus(`${server.url}?access_token=wrong`), 401);
    assert.equal(await upgradeStatus(server.url, { headers: { authorization: 'Bearer s3cret' } }), 101);
    const rpc = await RawRpc.open(`${server.url}?access_token=s3cret`);
    assert.equal(await rpc.value('ping'), 'pong');
    await rpc.close();
    // The official client sends its access_token option in the URL query.
    const kurento = await kurentoClient(server.url, { failAfter: 1, access_token: 's3cret', duplicates_timeout: 500 });
    const pipeline = await kurento.create('MediaPipeline');
    await pipeline.release();
    kurento.close();
  } finally {
    await server.stop();
  }
});

test('with a certificate and key, the control port speaks wss://', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  const server = await startServer({ tlsCert: cert, tlsKey: key });
  try {
    assert.match(server.url, /^wss:\/\/127\.0\.0\.1:\d+\/kurento$/);
    const socket = new WebSocket(server.url, { rejectUnauthorized: false });
    await new Promise((resolve, reject) => { socket.once('open', resolve); socket.once('error', reject); });
    const pong = await new Promise<string>((resolve) => {
      socket.once('message', (d) => resolve(d.toString()));
      socket.send('{"jsonrpc":"2.0","id":1,"method":"ping"}');
    });
    assert.deepEqual(JSON.parse(pong), { jsonrpc: '2.0', id: 1, result: { value: 'pong' } });
    socket.close();
  } finally {
    await server.stop();
  }
});
