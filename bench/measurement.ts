/**
 * One measurement: N echo sessions against one system, from a fresh server process to its stop.
 * Sessions are set up a few at a time (as an application's users arrive, not all in the same
 * millisecond), sending starts as each connects, then a warm-up, then the steady window in
 * which the server's CPU (/proc), the echoes and their latency are counted.
 */
import { EchoMeter } from './clients/echoMeter.js';
import { captureNdcErrors, drainNdcErrors } from './clients/ndcLog.js';
import type { LoadClient, LoadSession } from './clients/loadSession.js';
import { NativeSession } from './clients/nativeSession.js';
import { NdcSession } from './clients/ndcSession.js';
import { TrafficScheduler, type TrafficOptions } from './clients/trafficScheduler.js';
import { percentile } from './lib/histogram.js';
import { CpuWindow, cpuSeconds, rssBytes } from './lib/procstat.js';
import type { Progress } from './lib/progress.js';
import type { ServerSession, Target } from './targets/target.js';

export interface MeasureOptions {
  warmupSeconds: number;
  windowSeconds: number;
  /** Sessions being set up at the same time. */
  setupConcurrency: number;
  connectTimeoutMs: number;
  traffic: TrafficOptions;
  serverCore: number | undefined;
  /** The core this process (the load client) is pinned to, if it is. */
  clientCore: number | undefined;
  root: string;
  /** Our server's media worker threads. */
  mediaWorkers: number;
  /** node-datachannel sessions, or werift ICE/DTLS with native media (cheaper per packet). */
  loadClient?: LoadClient;
}

/** Median and 95th percentile, in ms. */
export interface Spread {
  median: number;
  p95: number;
}

export interface Measurement {
  system: string;
  n: number;
  /** Sessions whose connection came up / that received echoes / that failed to set up. */
  connected: number;
  echoing: number;
  failed: number;
  setupSeconds: number;
  windowSeconds: number;
  /** Server CPU over the window, percent of one core. */
  serverCpuPercent: number;
  serverCpuPercentPerSession: number;
  /** Server CPU time per RTP packet echoed in the window. */
  cpuMicrosPerPacket: number;
  serverRssMB: number;
  idleRssMB: number;
  rssPerSessionMB: number;
  /** From the offer being ready to the first echoed RTP packet, over sessions. */
  firstEchoMs: Spread;
  /** Medians of the first echo's phases: offer → answer applied, → connected (ICE and DTLS), → first echo. */
  firstEchoPhasesMs?: { answer: number; connect: number; firstEcho: number };
  /** Server CPU used while the sessions were set up, per session (the media of those already up included). */
  setupCpuMsPerSession?: number;
  /** Round trip client → server → client of packets sent in the window. */
  echoLatencyMs: Spread;
  /** Round trip of a control-plane request (ping) sent every 100 ms in the window. */
  controlRttMs: Spread;
  expectedPps: number;
  sentPps: number;
  echoedPps: number;
  lossPercent: number;
  clientCpuPercent: number;
  /** How much of the server's / the client's core other work used (percent of that core; NaN
   * when not pinned): the interference on a shared machine. */
  otherOnServerCorePercent: number;
  otherOnClientCorePercent: number;
  machineBusyPercent: number;
  /** Packets the client was too late to send (it was saturated); non-zero taints the point. */
  clientSkippedPackets: number;
  misroutedPackets: number;
  errors: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MB = 1024 * 1024;
const IDLE_SETTLE_MS = 2000;
const CONTROL_PROBE_MS = 100;
const round = (x: number, digits = 2) => (Number.isFinite(x) ? Number(x.toFixed(digits)) : Number.NaN);

export async function measure(target: Target, n: number, options: MeasureOptions, progress: Progress): Promise<Measurement> {
  const label = `${target.name} N=${n}`;
  progress.line(`${label}: starting the server`);
  const server = await target.start({ core: options.serverCore, root: options.root, mediaWorkers: options.mediaWorkers });
  const meter = new EchoMeter();
  const scheduler = new TrafficScheduler(options.traffic, meter);
  const sessions: LoadSession[] = [];
  const serverSessions: ServerSession[] = [];
  const errors: string[] = [];
  captureNdcErrors();
  drainNdcErrors();
  try {
    // Let start-up garbage (TypeScript compiled on load) be collected before the idle reading.
    await sleep(IDLE_SETTLE_MS);
    const idleRss = rssBytes(server.pid);
    const setupStart = performance.now();
    const setupCpuStart = cpuSeconds(server.pid);
    let next = 0;
    let failed = 0;
    let up = 0;
    const worker = async () => {
      while (next < n) {
        const session = options.loadClient === 'native' ? new NativeSession(next++, meter) : new NdcSession(next++, meter);
        sessions.push(session);
        try {
          serverSessions.push(await server.open(session));
          await session.waitConnected(options.connectTimeoutMs);
          scheduler.add(session);
          up++;
        } catch (e) {
          failed++;
          if (errors.length < 5) errors.push((e as Error).message);
        }
        progress.status(`${label}: ${up}/${n} sessions connected${failed > 0 ? `, ${failed} failed` : ''}`);
      }
    };
    await Promise.all(Array.from({ length: Math.min(n, options.setupConcurrency) }, worker));
    const connected = sessions.filter((s) => s.state === 'connected');
    const setupSeconds = (performance.now() - setupStart) / 1000;
    const setupCpuSeconds = cpuSeconds(server.pid) - setupCpuStart;
    progress.status(`${label}: ${connected.length}/${n} sessions connected in ${setupSeconds.toFixed(1)} s${failed > 0 ? `, ${failed} failed` : ''}; warming up ${options.warmupSeconds} s`, true);
    await sleep(options.warmupSeconds * 1000);

    meter.openWindow(performance.now());
    const skippedBefore = meter.skipped;
    const cpu = new CpuWindow([server.pid, process.pid], [options.serverCore, options.clientCore]);
    const control = probeControlPlane(() => server.controlRoundTrip());
    for (let left = options.windowSeconds; left > 0; left -= 5) {
      progress.status(`${label}: measuring, ${left} s left (${meter.echoedTotal} echoes so far)`, true);
      await sleep(Math.min(5, left) * 1000);
    }
    meter.closeWindow(performance.now());
    const controlRtts = await control.stop();
    const usage = cpu.finish();
    const serverRss = rssBytes(server.pid);
    await sleep(1000); // echoes of the window's last packets are still on their way
    const [serverCpu = 0, clientCpu = 0] = usage.cpuPercent;
    const [otherOnServerCore = Number.NaN, otherOnClientCore = Number.NaN] = usage.otherOnCorePercent;
    const echoing = connected.filter((s) => !Number.isNaN(s.firstEchoAt));
    const expectedPps = connected.length * scheduler.packetsPerSecondPerSession;
    errors.push(...drainNdcErrors().slice(0, 5).map((line) => `libdatachannel: ${line}`));
    return {
      system: target.name,
      n,
      connected: connected.length,
      echoing: echoing.length,
      failed,
      setupSeconds: round(setupSeconds),
      windowSeconds: round(usage.seconds),
      serverCpuPercent: round(serverCpu, 1),
      serverCpuPercentPerSession: round(serverCpu / n, 3),
      cpuMicrosPerPacket: round(((serverCpu / 100) * usage.seconds * 1e6) / meter.echoedInWindow, 1),
      serverRssMB: round(serverRss / MB, 1),
      idleRssMB: round(idleRss / MB, 1),
      rssPerSessionMB: round((serverRss - idleRss) / MB / n, 3),
      firstEchoMs: spread(echoing.map((s) => s.firstEchoAt - s.offerAt)),
      firstEchoPhasesMs: {
        answer: round(percentile(echoing.map((s) => s.answerAt - s.offerAt), 0.5), 1),
        connect: round(percentile(echoing.map((s) => s.connectedAt - s.answerAt), 0.5), 1),
        firstEcho: round(percentile(echoing.map((s) => s.firstEchoAt - s.connectedAt), 0.5), 1),
      },
      setupCpuMsPerSession: round((setupCpuSeconds * 1000) / n, 1),
      echoLatencyMs: { median: round(meter.latency.percentile(0.5), 2), p95: round(meter.latency.percentile(0.95), 2) },
      controlRttMs: { median: round(percentile(controlRtts, 0.5), 2), p95: round(percentile(controlRtts, 0.95), 2) },
      expectedPps: Math.round(expectedPps),
      sentPps: Math.round(meter.sentInWindow / usage.seconds),
      echoedPps: Math.round(meter.echoedInWindow / usage.seconds),
      lossPercent: round(meter.sentInWindow > 0 ? (100 * (meter.sentInWindow - meter.echoedInWindow)) / meter.sentInWindow : Number.NaN, 3),
      clientCpuPercent: round(clientCpu, 1),
      otherOnServerCorePercent: round(otherOnServerCore, 1),
      otherOnClientCorePercent: round(otherOnClientCore, 1),
      machineBusyPercent: round(usage.machineBusyPercent, 1),
      clientSkippedPackets: meter.skipped - skippedBefore,
      misroutedPackets: meter.misrouted,
      errors,
    };
  } finally {
    scheduler.stop();
    progress.line(`${label}: closing ${serverSessions.length} sessions`);
    await Promise.race([Promise.all(serverSessions.map((s) => s.close())), sleep(10_000)]);
    for (const s of sessions) s.close();
    await server.stop();
  }
}

/** Times one control-plane round trip every CONTROL_PROBE_MS (one at a time) until stopped. */
function probeControlPlane(roundTrip: () => Promise<void>): { stop(): Promise<number[]> } {
  const rtts: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const start = performance.now();
      await roundTrip();
      rtts.push(performance.now() - start);
      await sleep(CONTROL_PROBE_MS);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return rtts;
    },
  };
}

function spread(values: readonly number[]): Spread {
  return { median: round(percentile(values, 0.5), 1), p95: round(percentile(values, 0.95), 1) };
}
