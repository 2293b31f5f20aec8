/**
 * Native sockets and SRTP sessions under a forced GC every 2 ms, and worker threads terminated
 * with native sockets in use (test/fixtures/gc-stress.ts): nothing crashes, every echo
 * authenticates, a lane booking into ledgers only C references books every packet, and every
 * descriptor is given back. NATIVE_GC_ROUNDS makes it longer (soak).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'gc-stress.ts');

test('sockets and SRTP sessions under a forced GC every 2 ms, workers terminated mid-traffic', { timeout: 240_000 }, () => {
  const rounds = process.env['NATIVE_GC_ROUNDS'] ?? '30';
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', FIXTURE], {
    encoding: 'utf8',
    timeout: 230_000,
    env: { ...process.env, GC_ROUNDS: rounds },
  });
  assert.equal(run.status, 0, `the stress run failed (signal ${run.signal}):\n${run.stderr}\n${run.stdout}`);
  const result = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as { expected: number; echoed: number; booked: number; expectedBooked: number; workers: number; fdsBefore: number; fdsAfter: number };
  assert.equal(result.echoed, result.expected, 'every SRTP echo came back and authenticated');
  assert.ok(result.expectedBooked > 0);
  assert.equal(result.booked, result.expectedBooked, 'a lane armed with new ledgers every burst booked every packet it echoed in C');
  assert.equal(result.workers, 4);
  assert.equal(result.fdsAfter, result.fdsBefore, 'every socket descriptor given back, the workers\' too');
});
