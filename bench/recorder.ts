/**
 * `npm run bench:recorder`: CPU per recorded stream and write throughput of N concurrent
 * recordings of 1.5 Mbit/s VP8 + Opus RTP into WebM, for our RecordingSink and, fed the same
 * packets in the same run, what KMS and mediasoup users run for the job: a GStreamer
 * `udpsrc ! rtpjitterbuffer ! depay ! webmmux ! filesink` process, and one ffmpeg per recording
 * remuxing the RTP (`-c copy`). Each recorder runs on its own core when the machine has two.
 *
 *   npm run bench:recorder -- [--n 1,10,50] [--seconds 10] [--systems kurento-ts,gstreamer,ffmpeg]
 *   RECORDER_CPU_PROF=DIR npm run bench:recorder ...   (a V8 CPU profile of our recorder process in DIR)
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { EncodedPacketSink, FilePathSource, Input, WEBM } from 'mediabunny';
import { OpusPacketizer } from '../packages/media-server/src/media/packetize/OpusPacketizer.js';
import { RtpHeaderWriter } from '../packages/media-server/src/media/packetize/RtpPacketizer.js';
import { Vp8Packetizer } from '../packages/media-server/src/media/packetize/Vp8Packetizer.js';
import { pinnedCommand, pinSelf } from './lib/cpuPinning.js';
import { CpuWindow } from './lib/procstat.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '1,10,50' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    systems: { type: 'string', default: 'kurento-ts,gstreamer,ffmpeg' },
    'server-core': { type: 'string', default: '1' },
    'client-core': { type: 'string', default: '0' },
  },
});
const counts = values.n.split(',').map(Number);
const seconds = Number(values.seconds);
const warmup = Number(values.warmup);
const serverCore = Number(values['server-core']);
pinSelf(Number(values['client-core']));

/** One RTP packet of the capture: when it is sent (ms from the start) and where. */
interface CapturedPacket {
  readonly atMs: number;
  readonly kind: 'video' | 'audio';
  readonly bytes: Buffer;
}

/** A 10 s VP8 1.5 Mbit/s + Opus file made by ffmpeg, cut into RTP by our packetizers. */
async function capture(dir: string): Promise<{ packets: CapturedPacket[]; durationMs: number }> {
  const file = join(dir, 'source.webm');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '10',
    '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '1500k', '-minrate', '1500k', '-maxrate', '1500k', '-g', '60', '-c:a', 'libopus', '-ac', '2', file]);
  const input = new Input({ source: new FilePathSource(file), formats: [WEBM] });
  const packets: CapturedPacket[] = [];
  for (const track of await input.getTracks()) {
    const kind = track.isVideoTrack() ? 'video' : 'audio';
    const header = new RtpHeaderWriter(kind === 'video' ? 0x1111 : 0x2222, kind === 'video' ? 96 : 111, 0);
    const packetizer = kind === 'video' ? new Vp8Packetizer(header) : new OpusPacketizer(header);
    const clock = kind === 'video' ? 90000 : 48000;
    for await (const p of new EncodedPacketSink(track).packets()) {
      packetizer.packetize(p.data, p.type === 'key', Math.round(p.timestamp * clock), (bytes) => packets.push({ atMs: p.timestamp * 1000, kind, bytes }));
    }
  }
  const durationMs = (await input.computeDuration()) * 1000;
  input.dispose();
  packets.sort((a, b) => a.atMs - b.atMs);
  return { packets, durationMs };
}

/** Sends the capture in a loop, at its own pace, to N port pairs; sequence numbers and timestamps run on across loops. */
function sendLoop(capture: { packets: CapturedPacket[]; durationMs: number }, n: number, basePort: number): { stop: () => Promise<number> } {
  const socket = createSocket('udp4');
  const start = performance.now();
  let index = 0;
  let loop = 0;
  let sent = 0;
  const perLoop = { video: capture.packets.filter((p) => p.kind === 'video').length, audio: capture.packets.filter((p) => p.kind === 'audio').length };
  const timer = setInterval(() => {
    const now = performance.now() - start;
    for (;;) {
      const packet = capture.packets[index];
      if (!packet || loop * capture.durationMs + packet.atMs > now) break;
      const out = Buffer.from(packet.bytes);
      const clock = packet.kind === 'video' ? 90000 : 48000;
      out.writeUInt16BE((out.readUInt16BE(2) + loop * perLoop[packet.kind]) & 0xffff, 2);
      out.writeUInt32BE((out.readUInt32BE(4) + Math.round((loop * capture.durationMs * clock) / 1000)) >>> 0, 4);
      for (let i = 0; i < n; i++) socket.send(out, basePort + 4 * i + (packet.kind === 'video' ? 0 : 2), '127.0.0.1');
      sent += n;
      if (++index === capture.packets.length) {
        index = 0;
        loop++;
      }
    }
  }, 5);
  return { stop: async () => { clearInterval(timer); await new Promise((r) => setTimeout(r, 100)); socket.close(); return sent; } };
}

/** A recorder under test: its processes and how to stop them cleanly. */
interface Running {
  readonly pids: number[];
  stop(): Promise<void>;
}

const exited = (p: ChildProcess): Promise<void> => new Promise((r) => (p.exitCode !== null ? r() : p.once('exit', () => r())));

async function startKurentoTs(n: number, base: number, dir: string): Promise<Running> {
  const { command, args } = pinnedCommand(serverCore, process.execPath, [...(process.env['RECORDER_CPU_PROF'] ? ['--cpu-prof', '--cpu-prof-dir', process.env['RECORDER_CPU_PROF']] : []), '--import', 'tsx', '--max-semi-space-size=4', join(ROOT, 'bench/recorderWorker.ts'), String(n), String(base), dir]);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], cwd: ROOT });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 20_000;
  while (!output.includes('ready') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return {
    pids: [child.pid ?? 0],
    stop: async () => {
      child.kill('SIGTERM');
      await exited(child);
      const report = JSON.parse(output.slice(output.indexOf('{'))) as { errors: string[] };
      if (report.errors.length > 0) throw new Error(`kurento-ts recorder errors: ${report.errors.join('; ')}`);
    },
  };
}

async function startGstreamer(n: number, base: number, dir: string): Promise<Running> {
  const branches: string[] = [];
  for (let i = 0; i < n; i++) {
    branches.push(
      `udpsrc address=127.0.0.1 port=${base + 4 * i} caps="application/x-rtp,media=video,clock-rate=90000,encoding-name=VP8,payload=96" ! rtpjitterbuffer latency=200 ! rtpvp8depay ! queue ! webmmux name=m${i} ! filesink location=${join(dir, `gst-${i}.webm`)}`,
      `udpsrc address=127.0.0.1 port=${base + 4 * i + 2} caps="application/x-rtp,media=audio,clock-rate=48000,encoding-name=OPUS,payload=111" ! rtpjitterbuffer latency=200 ! rtpopusdepay ! opusparse ! queue ! m${i}.`,
    );
  }
  const { command, args } = pinnedCommand(serverCore, 'sh', ['-c', `exec gst-launch-1.0 -q -e ${branches.join(' ')}`]);
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  await new Promise((r) => setTimeout(r, 1000));
  return { pids: [child.pid ?? 0], stop: async () => { child.kill('SIGINT'); await exited(child); } };
}

async function startFfmpeg(n: number, base: number, dir: string): Promise<Running> {
  const children: ChildProcess[] = [];
  for (let i = 0; i < n; i++) {
    const sdp = join(dir, `ff-${i}.sdp`);
    writeFileSync(sdp, ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=rec', 'c=IN IP4 127.0.0.1', 't=0 0', `m=video ${base + 4 * i} RTP/AVP 96`, 'a=rtpmap:96 VP8/90000', `m=audio ${base + 4 * i + 2} RTP/AVP 111`, 'a=rtpmap:111 opus/48000/2', ''].join('\n'));
    const { command, args } = pinnedCommand(serverCore, 'ffmpeg', ['-v', 'error', '-nostdin', '-protocol_whitelist', 'file,udp,rtp', '-i', sdp, '-c', 'copy', '-y', join(dir, `ff-${i}.webm`)]);
    children.push(spawn(command, args, { stdio: ['ignore', 'ignore', 'ignore'] }));
  }
  await new Promise((r) => setTimeout(r, 1500));
  return { pids: children.map((c) => c.pid ?? 0), stop: async () => { for (const c of children) c.kill('SIGINT'); await Promise.all(children.map(exited)); } };
}

const starters: Record<string, (n: number, base: number, dir: string) => Promise<Running>> = { 'kurento-ts': startKurentoTs, gstreamer: startGstreamer, ffmpeg: startFfmpeg };

const work = mkdtempSync(join(tmpdir(), 'kts-bench-recorder-'));
const rows: string[] = ['| system | N | CPU (% of a core) | CPU per stream (%) | written (MB/s) | files read by ffprobe |', '|---|---:|---:|---:|---:|---:|'];
try {
  const source = await capture(work);
  const videoBytes = source.packets.filter((p) => p.kind === 'video').reduce((a, p) => a + p.bytes.length, 0);
  process.stdout.write(`capture: ${source.packets.length} packets, ${((videoBytes * 8) / source.durationMs / 1000).toFixed(2)} Mbit/s of video RTP\n`);
  let base = 31000;
  for (const n of counts) {
    for (const system of values.systems.split(',')) {
      const start = starters[system];
      if (!start) throw new Error(`unknown system ${system}`);
      const dir = join(work, `${system}-${n}`);
      execFileSync('mkdir', ['-p', dir]);
      base += 4 * n + 8;
      const running = await start(n, base, dir);
      const sender = sendLoop(source, n, base);
      await new Promise((r) => setTimeout(r, warmup * 1000));
      const window = new CpuWindow(running.pids, running.pids.map(() => undefined));
      const bytesBefore = readdirSync(dir).filter((f) => f.endsWith('.webm')).reduce((a, f) => a + statSync(join(dir, f)).size, 0);
      await new Promise((r) => setTimeout(r, seconds * 1000));
      const bytesAfter = readdirSync(dir).filter((f) => f.endsWith('.webm')).reduce((a, f) => a + statSync(join(dir, f)).size, 0);
      const cpu = window.finish();
      await sender.stop();
      await running.stop();
      const files = readdirSync(dir).filter((f) => f.endsWith('.webm'));
      const readable = files.filter((f) => {
        try {
          const codecs = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', join(dir, f)], { encoding: 'utf8' });
          return codecs.includes('vp8') && codecs.includes('opus');
        } catch {
          return false;
        }
      }).length;
      const total = cpu.cpuPercent.reduce((a, b) => a + b, 0);
      const row = `| ${system} | ${n} | ${total.toFixed(1)} | ${(total / n).toFixed(2)} | ${((bytesAfter - bytesBefore) / cpu.seconds / 1e6).toFixed(2)} | ${readable}/${n} |`;
      rows.push(row);
      process.stdout.write(`${row}\n`);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  process.stdout.write(`\n${rows.join('\n')}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
