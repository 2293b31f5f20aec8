/**
 * DTLS-SRTP in the addon (csrc/dtls.c): two of our sessions shake hands in memory (keys, the
 * peer's certificate, SRTP profile, application data, close_notify, a lost flight sent again,
 * garbage ignored), and our client against OpenSSL's own server (`openssl s_server -dtls1_2`)
 * over loopback UDP agrees with it on the exported SRTP keying material.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { waitFor } from '@kurento-ts/test-utils';
import { NativeDtlsContext, NativeDtlsSession, type DtlsStep } from '../src/index.js';

/** A self-signed ECDSA P-256 certificate and key from the openssl command, as PEM files. */
function certificate(dir: string, name: string): { certFile: string; keyFile: string; cert: string; key: string } {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${name}`, '-days', '1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

const dir = mkdtempSync(join(tmpdir(), 'kts-dtls-'));
const alice = certificate(dir, 'alice');
const bob = certificate(dir, 'bob');
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** SRTP keying material of AEAD_AES_128_GCM: two 16-byte keys and two 12-byte salts. */
const KEYING_LENGTH = 2 * (16 + 12);

/** Passes datagrams between the two until neither has more; `drop` may swallow some. */
function pump(client: NativeDtlsSession, server: NativeDtlsSession, first: DtlsStep, drop: (from: 'client' | 'server', index: number) => boolean = () => false) {
  const received = { client: [] as Buffer[], server: [] as Buffer[] };
  let queue: { to: 'client' | 'server'; datagram: Buffer }[] = first.send.map((datagram) => ({ to: 'server' as const, datagram }));
  const sent = { client: 0, server: 0 };
  for (let rounds = 0; queue.length > 0 && rounds < 100; rounds++) {
    const next: typeof queue = [];
    for (const { to, datagram } of queue) {
      const from = to === 'server' ? 'client' : 'server';
      if (drop(from, sent[from]++)) continue;
      const step = (to === 'server' ? server : client).receive(datagram);
      received[to].push(...step.data);
      for (const d of step.send) next.push({ to: from, datagram: d });
    }
    queue = next;
  }
  return received;
}

test('two sessions agree on the keys, see each other\'s certificates, pick AEAD_AES_128_GCM, carry data both ways and close', () => {
  const client = new NativeDtlsSession(new NativeDtlsContext(alice.cert, alice.key), 'client');
  const server = new NativeDtlsSession(new NativeDtlsContext(bob.cert, bob.key), 'server');
  assert.equal(server.start().send.length, 0, 'a server waits for the ClientHello');
  const hello = client.start();
  assert.equal(hello.state, 'handshaking');
  assert.equal(hello.send.length, 1, 'one ClientHello');
  pump(client, server, hello);
  const clientInfo = client.info();
  const serverInfo = server.info();
  assert.equal(clientInfo.srtpProfile, 7);
  assert.equal(serverInfo.srtpProfile, 7);
  assert.equal(clientInfo.version, 'DTLSv1.2');
  assert.match(clientInfo.cipher ?? '', /^ECDHE-ECDSA-AES128-GCM-SHA256$/);
  assert.deepEqual(clientInfo.peerCertificate, new X509Certificate(bob.cert).raw, "the client holds the server's certificate");
  assert.deepEqual(serverInfo.peerCertificate, new X509Certificate(alice.cert).raw, "the server asked for and holds the client's");
  const keys = client.exportSrtpKeyingMaterial(KEYING_LENGTH);
  assert.equal(keys.length, KEYING_LENGTH);
  assert.deepEqual(server.exportSrtpKeyingMaterial(KEYING_LENGTH), keys);
  assert.equal(client.nextTimeoutMs(), undefined, 'no timer once connected');

  const message = randomBytes(1000);
  const out = client.write(message);
  assert.equal(out.send.length, 1);
  assert.notDeepEqual(out.send[0], message, 'encrypted on the wire');
  const got = server.receive(out.send[0] ?? Buffer.alloc(0));
  assert.deepEqual(got.data, [message]);
  const reply = server.write(Buffer.from('pong'));
  assert.deepEqual(client.receive(reply.send[0] ?? Buffer.alloc(0)).data, [Buffer.from('pong')]);

  const bye = client.close();
  assert.equal(bye.state, 'closed');
  assert.equal(bye.send.length, 1, 'a close_notify');
  assert.equal(server.receive(bye.send[0] ?? Buffer.alloc(0)).state, 'closed');
  assert.throws(() => client.write(Buffer.from('late')), /closed/);
  assert.deepEqual(client.close().send, [], 'closing twice is harmless');
  assert.throws(() => client.receive(Buffer.alloc(10)), /closed/);
  server.close();
});

test('a lost flight is sent again when the timer fires; garbage and replays are ignored', async () => {
  const client = new NativeDtlsSession(new NativeDtlsContext(alice.cert, alice.key), 'client');
  const server = new NativeDtlsSession(new NativeDtlsContext(bob.cert, bob.key), 'server');
  const hello = client.start();
  assert.equal(client.receive(randomBytes(200)).state, 'handshaking', 'a datagram that is not DTLS changes nothing');
  // The server's whole first flight is lost.
  pump(client, server, hello, (from) => from === 'server');
  assert.equal(client.info().srtpProfile, 0, 'not connected yet');
  const wait = client.nextTimeoutMs();
  assert.ok(wait !== undefined && wait > 0 && wait <= 1000, `the client's timer: ${wait} ms`);
  assert.deepEqual(client.timeout().send, [], 'nothing is sent again before the timer is due');
  await new Promise((resolve) => setTimeout(resolve, wait + 20));
  assert.equal(client.nextTimeoutMs(), 0);
  const again = client.timeout();
  assert.ok(again.send.length >= 1, 'the ClientHello again');
  pump(client, server, again);
  const keys = client.exportSrtpKeyingMaterial(KEYING_LENGTH);
  assert.deepEqual(server.exportSrtpKeyingMaterial(KEYING_LENGTH), keys);
  const record = client.write(Buffer.from('once')).send[0] ?? Buffer.alloc(0);
  assert.deepEqual(server.receive(record).data, [Buffer.from('once')]);
  assert.deepEqual(server.receive(record).data, [], 'a replayed record is dropped');
  const forged = Buffer.from(record);
  forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 1;
  const tampered = server.receive(forged);
  assert.deepEqual(tampered.data, [], 'a record that does not authenticate is dropped');
  assert.equal(tampered.state, 'connected', 'and the session goes on');
  client.close();
  server.close();
});

test('the SRTP profiles offered are the ones chosen from; bad certificates, keys and profiles are refused with a clear error', () => {
  const client = new NativeDtlsSession(new NativeDtlsContext(alice.cert, alice.key, [1]), 'client');
  const server = new NativeDtlsSession(new NativeDtlsContext(bob.cert, bob.key), 'server');
  pump(client, server, client.start());
  assert.equal(client.info().srtpProfile, 1, 'AES_CM_128_HMAC_SHA1_80, the only one the client offered');
  assert.equal(server.info().srtpProfile, 1);
  assert.throws(() => new NativeDtlsContext(alice.cert, alice.key, [99]), /unknown DTLS-SRTP profile 99/);
  assert.throws(() => new NativeDtlsContext('not a certificate', alice.key), /certificate is not PEM/);
  assert.throws(() => new NativeDtlsContext(alice.cert, 'not a key'), /private key is not PEM/);
  assert.throws(() => new NativeDtlsContext(alice.cert, bob.key), /key does not match/);
});

test("our client and OpenSSL's s_server export the same SRTP keying material over loopback UDP", async () => {
  const probe = createSocket('udp4');
  probe.bind(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = probe.address().port;
  probe.close();
  const server = spawn(
    'openssl',
    ['s_server', '-dtls1_2', '-accept', `127.0.0.1:${port}`, '-cert', bob.certFile, '-key', bob.keyFile, '-use_srtp', 'SRTP_AEAD_AES_128_GCM', '-keymatexport', 'EXTRACTOR-dtls_srtp', '-keymatexportlen', String(KEYING_LENGTH), '-naccept', '1'],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let output = '';
  server.stdout.on('data', (d: Buffer) => (output += d.toString()));
  server.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const socket = createSocket('udp4');
  try {
    await new Promise((resolve) => setTimeout(resolve, 300)); // s_server binds
    const client = new NativeDtlsSession(new NativeDtlsContext(alice.cert, alice.key), 'client');
    let connected = false;
    const send = (step: DtlsStep) => {
      for (const d of step.send) socket.send(d, port, '127.0.0.1');
      if (step.state === 'connected') connected = true;
    };
    socket.on('message', (datagram) => send(client.receive(datagram)));
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    send(client.start());
    const timer = setInterval(() => client.nextTimeoutMs() === 0 && send(client.timeout()), 50);
    await waitFor('the handshake with s_server', () => connected);
    clearInterval(timer);
    const ours = client.exportSrtpKeyingMaterial(KEYING_LENGTH).toString('hex').toUpperCase();
    await waitFor("s_server's keying material", () => /Keying material: [0-9A-F]+/.test(output), 5000);
    assert.equal(/Keying material: ([0-9A-F]+)/.exec(output)?.[1], ours, 's_server exports what we export');
    assert.match(output, /SRTP Extension negotiated, profile=SRTP_AEAD_AES_128_GCM/);
    send(client.write(Buffer.from('hello s_server\n')));
    await waitFor('our data at s_server', () => output.includes('hello s_server'), 5000);
    client.close();
  } finally {
    socket.close();
    server.kill();
  }
});

test('sessions and contexts under a forced GC every 2 ms: contexts dropped before their sessions, sessions never closed', { timeout: 120_000 }, () => {
  const fixture = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'dtls-gc.ts');
  const rounds = Number(process.env['NATIVE_GC_ROUNDS'] ?? '30') * 5;
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fixture, alice.certFile, alice.keyFile, String(rounds)], { encoding: 'utf8', timeout: 110_000 });
  assert.equal(run.status, 0, `the stress run failed (signal ${run.signal}):\n${run.stderr}`);
  assert.deepEqual(JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}'), { handshakes: rounds });
});
