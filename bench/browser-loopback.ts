/**
 * Measures the media server with N Chromium loopback sessions (Hello World: a WebRtcEndpoint
 * connected to itself): offer → first decoded remote frame, and the server process's CPU over a
 * steady window read from /proc. The server runs as its own process so its CPU is its own.
 *
 *   npx tsx bench/browser-loopback.ts [sessions=1] [seconds=15]
 *
 * A browser encodes and decodes every stream, so on a 2-core machine it, not the server, is the
 * limit past ~20 sessions; the Node-client benchmark (`npm run bench`) is for load.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import kurentoClient from 'kurento-client';
import { launchChromium, serve } from '@kurento-ts/test-utils';

const sessions = Number(process.argv[2] ?? 1);
const seconds = Number(process.argv[3] ?? 15);
const TICKS = 100; // USER_HZ on Linux

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

const server = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../packages/media-server/src/main.ts', import.meta.url)), '--port', '0', '--network-interfaces', '127.0.0.1', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise<string>((resolve) => server.stdout.on('data', (d: Buffer) => {
  const m = /ws:\/\/\S+/.exec(d.toString());
  if (m) resolve(m[0]);
}));
const web = await serve({ '/': readFileSync(new URL('./browser-loopback.html', import.meta.url), 'utf8') });
const browser = await launchChromium();
const page = await browser.context.newPage();
const kurento = await kurentoClient(url, { failAfter: 1, duplicates_timeout: 500 });
const IceCandidate = kurentoClient.getComplexType('IceCandidate');
try {
  const pipeline = await kurento.create('MediaPipeline');
  const endpoints = await Promise.all(Array.from({ length: sessions }, () => pipeline.create('WebRtcEndpoint')));
  await page.exposeFunction('onLocalCandidate', (i: number, c: Record<string, unknown>) => void endpoints[i]?.addIceCandidate(IceCandidate(c)));
  await page.goto(web.url);
  const offers = await page.evaluate((n) => (window as unknown as { openSessions(n: number): Promise<string[]> }).openSessions(n), sessions);
  await Promise.all(endpoints.map(async (ep, i) => {
    ep.on('IceCandidateFound', (e) => void page.evaluate(([j, c]) => (window as unknown as { addRemoteCandidate(i: number, c: unknown): Promise<void> }).addRemoteCandidate(j as number, c), [i, e['candidate']]));
    await ep.connect(ep);
    const answer = await ep.processOffer(offers[i] ?? '');
    await page.evaluate(([j, sdp]) => (window as unknown as { setAnswer(i: number, s: string): Promise<void> }).setAnswer(j as number, sdp as string), [i, answer]);
    await ep.gatherCandidates();
  }));
  await new Promise((r) => setTimeout(r, 5000)); // warm-up: ramp-up and first keyframes
  const t0 = cpuTicks(server.pid ?? 0);
  const start = Date.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = ((cpuTicks(server.pid ?? 0) - t0) / TICKS / ((Date.now() - start) / 1000)) * 100;
  const report = await page.evaluate(() => (window as unknown as { report(): Promise<{ firstFrameMs: number | null; framesDecoded: number }[]> }).report());
  const first = report.map((r) => r.firstFrameMs ?? NaN).sort((a, b) => a - b);
  console.log(JSON.stringify({
    sessions,
    playing: report.filter((r) => r.framesDecoded > 0).length,
    firstFrameMs: { min: Math.round(first[0] ?? NaN), median: Math.round(first[Math.floor(first.length / 2)] ?? NaN), max: Math.round(first[first.length - 1] ?? NaN) },
    serverCpuPercentOfOneCore: Number(cpu.toFixed(1)),
    serverRssMb: Number(rssMb(server.pid ?? 0).toFixed(1)),
  }));
  await pipeline.release();
} catch (e) {
  console.error('bench failed:', e);
  process.exitCode = 1;
} finally {
  kurento.close();
  await browser.close();
  await web.close();
  server.kill('SIGTERM');
  setTimeout(() => process.exit(0), 500).unref();
}
