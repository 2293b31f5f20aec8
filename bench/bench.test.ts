/**
 * The benchmark end to end, short: N = 1 and 10 against both systems for a few seconds. It checks
 * that the bench works (sessions connect, echoes come back to the right session, every figure is
 * present and sane, the reports are written), not how fast anything is. Janus is installed when
 * missing and we may (root with apt-get); otherwise the run fails with the install command.
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
const SYSTEMS = ['kurento-ts', 'janus'];

test('npm run bench, short: both systems at N = 1 and 10', { timeout: 150_000 }, (t) => {
  const out = mkdtempSync(join(tmpdir(), 'kurento-ts-bench-test-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--n', NS.join(','), '--seconds', '3', '--warmup', '1', '--no-search', '--quiet', '--out', out], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 140_000,
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
  const markdown = readFileSync(join(out, 'bench.md'), 'utf8');
  assert.match(markdown, /\| 10 \| kurento-ts \| 10 \|/);
  assert.match(markdown, /\| 10 \| janus \| 10 \|/);
  assert.match(markdown, /Ratio kurento-ts \/ janus/);
  assert.match(markdown, /\| 10 \| \d+\.\d\d× \|/, 'a ratio row for N = 10');
  const svg = readFileSync(join(out, 'bench.svg'), 'utf8');
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal(svg.match(/<polyline /g)?.length, 2 + 2 * 2, 'CPU lines for both systems, latency median and p95 for both');
});

test('bench/node-floor.ts, short: the bare Node echo answers at every rate', { timeout: 60_000 }, () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/node-floor.ts', '--seconds', '0.5'], { cwd: ROOT, encoding: 'utf8', timeout: 50_000 });
  assert.equal(run.status, 0, `node-floor failed:\n${run.stderr}\n${run.stdout}`);
  const rows = run.stdout.split('\n').filter((line) => /^\| \d/.test(line));
  assert.equal(rows.length, 5, run.stdout);
  for (const row of rows) {
    const [, , , , echoed, micros] = row.split('|').map(Number);
    assert.ok((echoed ?? 0) > 0, `packets echoed in "${row}"`);
    assert.ok((micros ?? 0) > 0 && (micros ?? 0) < 10_000, `CPU per echoed packet in "${row}"`);
  }
});
