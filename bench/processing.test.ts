/**
 * The processing bench, short: both workloads for two seconds. It checks that the bench works
 * (both pipelines process the stream, every figure is there and sane), not how fast they are.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Row {
  readonly workload: string;
  readonly gstLaunchMsPerFrame: number;
  readonly oursMsPerFrame: number;
  readonly unitProcessMsPerFrame: number;
  readonly ratio: number;
  readonly framesIn: number;
  readonly packetsOut: { readonly gstLaunch: number; readonly ours: number };
}

test('bench/processing.ts, short: flip and transcode, ours beside gst-launch', { timeout: 120_000 }, () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/processing.ts', '--seconds', '2', '--warmup', '1', '--json'], { cwd: ROOT, encoding: 'utf8', timeout: 110_000 });
  assert.equal(run.status, 0, `bench failed:\n${run.stderr}\n${run.stdout}`);
  const { rows } = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as { rows: Row[] };
  assert.deepEqual(rows.map((r) => r.workload), ['flip filter (VP8 → videoflip → VP8)', 'transcode VP8 → H.264']);
  for (const row of rows) {
    assert.ok(row.framesIn >= 50, `${row.workload}: ${row.framesIn} frames fed`);
    assert.ok(row.packetsOut.ours > 40 && row.packetsOut.gstLaunch > 40, `${row.workload}: both gave output (${JSON.stringify(row.packetsOut)})`);
    assert.ok(row.gstLaunchMsPerFrame > 0.2 && row.gstLaunchMsPerFrame < 50, `${row.workload}: gst-launch ${row.gstLaunchMsPerFrame} ms/frame`);
    assert.ok(row.unitProcessMsPerFrame > 0.2 && row.oursMsPerFrame >= row.unitProcessMsPerFrame, `${row.workload}: ours ${row.oursMsPerFrame} ms/frame`);
    assert.ok(row.ratio > 0.3 && row.ratio < 5, `${row.workload}: ratio ${row.ratio}`);
  }
});
