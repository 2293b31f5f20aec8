/**
 * The benchmark end to end, short: N = 1 and 10 against the four systems (our server on its native
 * and its TypeScript media path, Janus, Pion) for a few seconds, with
 * the floors. It checks that the bench works (sessions connect, echoes come back to the right
 * session, every figure is present and sane, the reports are written), not how fast anything is.
 * Janus and Pion's sources are installed when missing and we may (root with apt-get: scripts/
 * system-packages.mjs); otherwise the run fails with the install command.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BenchResults } from './benchmark.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const NS = [1, 10];
const SYSTEMS = ['kurento-ts', 'kurento-ts-fallback', 'janus', 'pion'];

test('npm run bench, short: the four systems and the floors at N = 1 and 10', { timeout: 300_000 }, (t) => {
  const out = mkdtempSync(join(tmpdir(), 'kurento-ts-bench-test-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--n', NS.join(','), '--seconds', '2', '--warmup', '1', '--no-search', '--recorder-n', '1', '--no-processing', '--quiet', '--out', out], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 290_000,
  });
  assert.equal(run.status, 0, `bench failed:\n${run.stderr}\n${run.stdout}`);

  const results = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8')) as BenchResults;
  assert.equal(results.measurements.length, NS.length * SYSTEMS.length);
  for (const system of SYSTEMS) {
    for (const n of NS) {
      const m = results.measurements.find((x) => x.system === system && x.n === n);
      assert.ok(m, `${system} N=${n} measured`);
      const what = `${system} N=${n}`;
      assert.deepEqual([m.connected, m.echoing, m.failed], [n, n, 0], `${what}: every session connected and echoing (errors: ${m.errors.join('; ')})`);
      assert.equal(m.misroutedPackets, 0, `${what}: every echo came back to the session that sent it`);
      assert.ok(m.sentPps > 0.5 * m.expectedPps, `${what}: the client sent its load (${m.sentPps} of ${m.expectedPps} packets/s)`);
      assert.ok(m.echoedPps > 0 && m.lossPercent >= 0 && m.lossPercent < 50, `${what}: echoes counted, loss ${m.lossPercent} %`);
      assert.ok(m.serverCpuPercent > 0 && m.serverCpuPercent < 100 * results.machine.cores, `${what}: server CPU ${m.serverCpuPercent} %`);
      assert.ok(m.cpuMicrosPerPacket > 0 && Number.isFinite(m.cpuMicrosPerPacket), `${what}: CPU per packet ${m.cpuMicrosPerPacket} µs`);
      assert.ok(m.serverRssMB > m.idleRssMB * 0.5 && m.idleRssMB > 1 && Number.isFinite(m.rssPerSessionMB), `${what}: RSS ${m.idleRssMB} → ${m.serverRssMB} MB`);
      for (const [name, s] of [['first echo', m.firstEchoMs], ['echo latency', m.echoLatencyMs], ['control request', m.controlRttMs]] as const) {
        assert.ok(s.median > 0 && s.median < 10_000 && s.p95 >= s.median, `${what}: ${name} median ${s.median} ms, p95 ${s.p95} ms`);
      }
    }
  }
  assert.deepEqual(
    results.floors.map((f) => f.n),
    NS,
  );
  for (const f of results.floors) {
    assert.equal(f.pps, f.n * 200, `N=${f.n}: the floor runs at the sessions' packet rate`);
    assert.ok(f.native, `N=${f.n}: the native floor was measured (the addon is built by npm test)`);
    for (const r of [f.node, f.native]) {
      assert.ok(r.echoed > 0.5 * r.sent && r.cpuMicrosPerPacket > 0 && Number.isFinite(r.cpuMicrosPerPacket), `N=${f.n} ${r.mode} floor: ${r.echoed}/${r.sent} echoed, ${r.cpuMicrosPerPacket} µs/packet`);
    }
  }
  const markdown = readFileSync(join(out, 'bench.md'), 'utf8');
  for (const system of SYSTEMS) assert.match(markdown, new RegExp(`\\| 10 \\| ${system} \\| 10 \\|`));
  assert.match(markdown, /Ratio kurento-ts \/ janus/);
  assert.match(markdown, /Ratio kurento-ts \/ pion/);
  // The recorder point (bench/recorder.ts, its own test-free path here): one recording each, every file read by ffprobe.
  for (const system of ['kurento-ts', 'gstreamer', 'ffmpeg']) assert.match(markdown, new RegExp(`## Recording[\\s\\S]*\\| ${system} \\| 1 \\| \\d+\\.\\d \\| \\d+\\.\\d\\d \\| \\d+\\.\\d\\d \\| 1/1 \\|`), `the recorder row of ${system}`);
  assert.match(markdown, /\| 10 \| \d+\.\d\d× \|/, 'a ratio row for N = 10');
  assert.match(markdown, /\| 10 \| 2000 \| \d+\.\d \(\d+\.\d\d\) \| \d+\.\d \(\d+\.\d\d\) \| \d+\.\d\d× \| \d+\.\d\d× \| \d+\.\d\d× \|/, 'the floor row for N = 10');
  const svg = readFileSync(join(out, 'bench.svg'), 'utf8');
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal(svg.match(/<polyline /g)?.length, 3 * SYSTEMS.length, 'a CPU line for each system, and its latency median and p95');
});

test('bench/node-floor.ts, short: both floors echo valid SRTP at every rate', { timeout: 120_000 }, () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/node-floor.ts', '--seconds', '0.5'], { cwd: ROOT, encoding: 'utf8', timeout: 110_000 });
  assert.equal(run.status, 0, `node-floor failed:\n${run.stderr}\n${run.stdout}`);
  const rows = run.stdout.split('\n').filter((line) => /^\| \d/.test(line));
  assert.equal(rows.length, 4, run.stdout);
  for (const row of rows) {
    const [, pps, , node, nodeLoss, native, nativeLoss] = row.split('|').map(Number);
    for (const [name, micros, loss] of [['node', node, nodeLoss], ['native', native, nativeLoss]] as const) {
      // Packets only echo when their tag checked (the echo drops the others), so echoes mean valid SRTP.
      assert.ok((micros ?? 0) > 0 && (micros ?? 0) < 10_000, `${name} floor CPU per echoed packet at ${pps} packets/s in "${row}"`);
      assert.ok((loss ?? 100) < 100, `${name} floor echoed at ${pps} packets/s in "${row}"`);
    }
  }
});

test('npm run bench --load-client native, short: werift ICE/DTLS with native media against the three systems', { timeout: 200_000 }, (t) => {
  const out = mkdtempSync(join(tmpdir(), 'kurento-ts-bench-native-client-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'bench/run.ts', '--load-client', 'native', '--n', '3', '--seconds', '3', '--warmup', '1', '--no-search', '--no-floor', '--no-recorder', '--no-processing', '--quiet', '--out', out],
    { cwd: ROOT, encoding: 'utf8', timeout: 190_000 },
  );
  assert.equal(run.status, 0, `bench failed:\n${run.stderr}\n${run.stdout}`);
  const results = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8')) as BenchResults;
  for (const system of SYSTEMS) {
    const m = results.measurements.find((x) => x.system === system && x.n === 3);
    assert.ok(m, `${system} measured`);
    assert.deepEqual([m.connected, m.echoing, m.failed], [3, 3, 0], `${system}: every session connected and echoing (errors: ${m.errors.join('; ')})`);
    assert.equal(m.misroutedPackets, 0, `${system}: every echo came back to the session that sent it`);
    assert.ok(m.sentPps > 0.5 * m.expectedPps && m.lossPercent < 50, `${system}: load sent (${m.sentPps} of ${m.expectedPps} packets/s) and echoed (loss ${m.lossPercent} %)`);
  }
});
