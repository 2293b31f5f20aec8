/**
 * Which path runs: the native one when the addon is built, the TypeScript one when
 * KURENTO_NATIVE=0 asks for it or the addon is missing, each said in one line, and a clear
 * error for code that needs the addon when it is not there. Separate processes: the choice is
 * made once per thread.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const INDEX = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'index.ts');
const PROBE = `
const m = await import(${JSON.stringify(INDEX)});
let error = '';
try { new m.NativeSrtpSession('AEAD_AES_128_GCM', Buffer.alloc(16), Buffer.alloc(12)); } catch (e) { error = e.message; }
console.log(JSON.stringify({ status: m.nativeStatus(), error }));
`;

function probe(env: Record<string, string>): { status: { native: boolean; reason: string }; error: string } {
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', PROBE], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout.trim()) as { status: { native: boolean; reason: string }; error: string };
}

test('the built addon is used and says so', () => {
  const { status, error } = probe({});
  assert.equal(status.native, true, status.reason);
  assert.match(status.reason, /^native fast path \(/);
  assert.equal(error, '');
});

test('KURENTO_NATIVE=0 forces the TypeScript path; native classes then name the reason', () => {
  const { status, error } = probe({ KURENTO_NATIVE: '0' });
  assert.deepEqual(status, { native: false, reason: 'TypeScript fast path (KURENTO_NATIVE=0)' });
  assert.equal(error, 'the native fast path is not available: TypeScript fast path (KURENTO_NATIVE=0)');
});

test('a missing addon means the TypeScript path, with what to install', () => {
  const { status, error } = probe({ KURENTO_NATIVE_ADDON: '/nonexistent/kurento_ts_native.node' });
  assert.equal(status.native, false);
  assert.match(status.reason, /native addon not built: needs a C compiler, make and python3/);
  assert.match(error, /not available/);
});
