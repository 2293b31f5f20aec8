/**
 * `npm start`'s command line: --help, wrong flags, busy ports (a clear sentence, not a stack
 * trace), and the certificate kept between starts.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadCertificate, parseOptions as parseTutorialOptions, UsageError } from '@kurento-ts/tutorial-kit';
import { npmStartToEnd as npmStartToEndOf } from '@kurento-ts/tutorial-kit/testing';
import { helloWorld } from '../src/tutorial.js';

const parseOptions = (argv: readonly string[], env: NodeJS.ProcessEnv) => parseTutorialOptions(helloWorld, argv, env);
const npmStartToEnd = (args: readonly string[]) => npmStartToEndOf({ title: helloWorld.title }, args);

async function occupy(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, server };
}

test('npm start -- --help lists the flags and their environment variables', async () => {
  const { code, output } = await npmStartToEnd(['--help']);
  assert.equal(code, 0, output);
  for (const flag of ['--port', '--host', '--ws-uri', '--kurento-port', '--network-interfaces', 'HELLO_WORLD_PORT', 'KURENTO_WS_URI', 'KURENTO_NETWORK_INTERFACES']) {
    assert.ok(output.includes(flag), `--help mentions ${flag}:\n${output}`);
  }
});

test('busy ports: a sentence naming the port and the way out, exit code 1, nothing left running', async () => {
  const busy = await occupy();
  try {
    const page = await npmStartToEnd(['--port', String(busy.port), '--kurento-port', '0']);
    assert.equal(page.code, 1, page.output);
    assert.match(page.output, new RegExp(`hello-world: cannot start: port ${busy.port} is busy: .* \\(choose another with --port\\)`));
    const media = await npmStartToEnd(['--port', '0', '--kurento-port', String(busy.port)]);
    assert.equal(media.code, 1, media.output);
    assert.match(media.output, new RegExp(`port ${busy.port} is busy: .*embedded media server.*--kurento-port.*--ws-uri`));
    assert.doesNotMatch(page.output + media.output, /\n\s+at /, 'no stack trace');
  } finally {
    busy.server.close();
  }
});

test('an unreachable --ws-uri: says so, exit code 1', async () => {
  const closed = await occupy();
  closed.server.close(); // a port nobody listens on
  const { code, output } = await npmStartToEnd(['--port', '0', '--ws-uri', `ws://127.0.0.1:${closed.port}/kurento`]);
  assert.equal(code, 1, output);
  assert.match(output, new RegExp(`cannot reach the media server at ws://127.0.0.1:${closed.port}/kurento`));
});

test('flags and environment', () => {
  const env = { HELLO_WORLD_PORT: '9443', KURENTO_PORT: '9888', KURENTO_NETWORK_INTERFACES: '127.0.0.1' };
  const fromEnv = parseOptions([], env);
  assert.ok(fromEnv !== 'help');
  assert.deepEqual([fromEnv.port, fromEnv.host, fromEnv.wsUri, fromEnv.mediaServer.port, fromEnv.mediaServer.networkInterfaces], [9443, '127.0.0.1', undefined, 9888, ['127.0.0.1']]);
  const flags = parseOptions(['--port=10443', '--kurento-port', '10888', '--host', '0.0.0.0'], env);
  assert.ok(flags !== 'help');
  assert.deepEqual([flags.port, flags.host, flags.mediaServer.port], [10443, '0.0.0.0', 10888], 'flags win');
  const defaults = parseOptions([], {});
  assert.ok(defaults !== 'help');
  assert.deepEqual([defaults.port, defaults.host, defaults.wsUri, defaults.mediaServer.port, defaults.mediaServer.networkInterfaces], [8443, '127.0.0.1', undefined, 8888, []]);
  const external = parseOptions(['--ws-uri', 'ws://kms.example:8888/kurento'], {});
  assert.ok(external !== 'help');
  assert.equal(external.wsUri, 'ws://kms.example:8888/kurento');
  assert.equal(parseOptions(['--port', '1', '--help'], {}), 'help');

  const bad: [string[], RegExp][] = [
    [['--port', 'http'], /--port must be a port number/],
    [['--port', '70000'], /--port must be a port number/],
    [['--ws-uri', 'http://x/kurento'], /--ws-uri must be a ws:\/\/ or wss:\/\/ URL/],
    [['--ws-uri', 'ws://x:8888/kurento', '--kurento-port', '1'], /--kurento-port configures the embedded media server, which --ws-uri replaces/],
    [['--network-interfaces', 'eth0'], /media server: --network-interfaces must be a list of IP addresses/],
    [['--host', 'my laptop'], /--host must be an IP address/],
    [['--verbose'], /unknown argument "--verbose"/],
    [['--port'], /--port needs a value/],
  ];
  for (const [argv, message] of bad) assert.throws(() => parseOptions(argv, {}), (e: unknown) => e instanceof UsageError && message.test(e.message), argv.join(' '));
});

test('the certificate is made once, for localhost, and kept (key readable by its owner only)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hello-world-cert-'));
  try {
    const first = await loadCertificate(dir);
    assert.equal(first.created, true);
    const again = await loadCertificate(dir);
    assert.deepEqual(again, { ...first, created: false });
    assert.equal(statSync(join(dir, 'key.pem')).mode & 0o777, 0o600);
    const x509 = new X509Certificate(readFileSync(join(dir, 'cert.pem')));
    assert.equal(x509.checkHost('localhost'), 'localhost');
    assert.equal(x509.checkIP('127.0.0.1'), '127.0.0.1');
    // A broken one is replaced.
    rmSync(join(dir, 'key.pem'));
    assert.equal((await loadCertificate(dir)).created, true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
