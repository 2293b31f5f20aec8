/**
 * The media server's command line as an operator meets it: `--help` words its defaults as the
 * README does, a wrong pair of flags is one sentence naming the flags (exit 2), and a started
 * server says which addresses it offers for media, with a warning when only loopback ones.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { waitFor } from '@kurento-ts/test-utils';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs the media server with `args`; `until` (given what it printed so far) says when to send SIGTERM. */
async function mediaServer(args: readonly string[], until?: (out: Run) => boolean): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const run: Run = { stdout: '', stderr: '', code: null };
  child.stdout.on('data', (d: Buffer) => (run.stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (run.stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    if (until) {
      await waitFor('the media server to print its start lines', () => until(run) || child.exitCode !== null, 30_000, 100);
      child.kill('SIGTERM');
    }
    run.code = await exited;
    return run;
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

test('--help shows the defaults in words: (all), (any), none', async () => {
  const { stdout, code } = await mediaServer(['--help']);
  assert.equal(code, 0);
  assert.match(stdout, /^  --network-interfaces .*; default: \(all\)$/m);
  assert.match(stdout, /^  --min-port .*; default: \(any\)$/m);
  assert.match(stdout, /^  --tls-cert .*; default: none$/m);
  assert.match(stdout, /^  --http-allow-list .*; default: \(any\)$/m);
  assert.doesNotMatch(stdout, /default:? (\[\]|"")/);
});

test('flags that must go together: one line naming the flags, exit code 2', async () => {
  const ports = await mediaServer(['--min-port', '40100', '--max-port', '40000']);
  assert.equal(ports.code, 2);
  assert.equal(ports.stderr, 'media-server: --min-port (40100) must be below --max-port (40000)\n');
  const tls = await mediaServer(['--tls-cert', '/nowhere/cert.pem']);
  assert.equal(tls.code, 2);
  assert.equal(tls.stderr, 'media-server: --tls-cert and --tls-key must be set together\n');
});

test('at start it prints the media addresses it offers, and warns when they are loopback only', async () => {
  const run = await mediaServer(['--port', '0', '--network-interfaces', '127.0.0.1', '--log-level', 'warn'], (r) => /^Media offered on/m.test(r.stdout) && /warning/.test(r.stderr));
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.split('\n');
  assert.match(lines[0] ?? '', /^Kurento-TS media server ready on ws:\/\/127\.0\.0\.1:\d+\/kurento$/);
  assert.equal(lines[1], 'Media offered on 127.0.0.1 (--network-interfaces)');
  assert.match(run.stderr, /^media-server: warning: media only on loopback: only browsers on this machine get media/m);
});
