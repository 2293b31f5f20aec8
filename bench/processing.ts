/**
 * CPU per processed stream: one 640×480 30 fps VP8 stream through our processing unit beside
 * the same GStreamer pipeline run alone by gst-launch-1.0, in the same run, for each workload
 * (the flip filter; the VP8 → H.264 transcode). Our cost is the unit's process plus what feeding
 * it costs our Node process; GStreamer's own is the gst-launch process. Two ratios: ours over
 * the gst-launch process alone (goal ≤ 1.1), and ours over gst-launch plus what feeding it by
 * UDP costs Node (what running gst-launch children would cost us).
 *
 *   npx tsx bench/processing.ts [--seconds 10] [--warmup 2] [--rounds 1] [--json]
 *
 * The stream is encoded once beforehand (a moving test pattern, so encoders work as on a
 * camera) and replayed at its own pace, from memory, to both: by UDP to gst-launch (udpsrc,
 * udpsink), by `unit.push` to ours. Feeding costs Node the same in both phases but for the
 * transport; a phase that only paces the packets gives the floor subtracted from ours.
 */
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { parseArgs } from 'node:util';
import { ProcessingBackend } from '../packages/media-server/src/processing/index.js';
import { decodeChain, encodeChain } from '../packages/media-server/src/processing/codecChains.js';
import { RtpStreamReader } from '../packages/media-server/src/processing/rtpStreamFraming.js';
import { setLogLevel } from '../packages/media-server/src/support/logger.js';
import type { RtpCodec } from '../packages/media-server/src/types/media.js';
import { cpuSeconds } from './lib/procstat.js';

const VP8: RtpCodec = { mimeType: 'video/VP8', clockRate: 90000, parameters: {}, payloadType: 96 };
const H264: RtpCodec = { mimeType: 'video/H264', clockRate: 90000, parameters: { 'packetization-mode': '1', 'profile-level-id': '42e01f' }, payloadType: 102 };
const JITTER_MS = 50;

interface Workload {
  readonly name: string;
  readonly output: RtpCodec;
  /** The raw-video middle of the reference pipeline (what our unit runs between decode and encode). */
  readonly middle: string;
  readonly start: (backend: ProcessingBackend) => ReturnType<ProcessingBackend['createTranscoder']>;
}

const WORKLOADS: readonly Workload[] = [
  {
    name: 'flip filter (VP8 → videoflip → VP8)',
    output: VP8,
    middle: 'videoconvert ! videoflip video-direction=horiz ! videoconvert',
    start: (b) => b.createFilter({ command: 'videoflip method=horizontal-flip', filterType: 'VIDEO', input: VP8 }),
  },
  {
    name: 'transcode VP8 → H.264',
    output: H264,
    middle: 'videoconvert',
    start: (b) => b.createTranscoder({ input: VP8, output: H264 }),
  },
];

/** One measured phase. */
interface Phase {
  readonly cpuMs: number;
  readonly frames: number;
  readonly packetsOut: number;
}

interface Packet {
  readonly at: number;
  readonly data: Buffer;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const nodeCpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Encodes `seconds` of a moving 640×480 pattern to VP8 RTP, in memory, with each packet's send time. */
async function encodeStream(seconds: number): Promise<Packet[]> {
  const frames = Math.ceil(seconds * 30);
  const gst = spawn('/usr/bin/gst-launch-1.0', ['-q', 'videotestsrc', `num-buffers=${frames}`, 'pattern=ball', 'motion=sweep', '!', 'video/x-raw,width=640,height=480,framerate=30/1', '!', 'vp8enc', 'deadline=1', 'cpu-used=4', 'target-bitrate=1500000', 'keyframe-max-dist=300', '!', 'rtpvp8pay', 'pt=96', 'mtu=1200', 'picture-id-mode=15-bit', '!', 'rtpstreampay', '!', 'fdsink', 'fd=1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const packets: Packet[] = [];
  let firstTs: number | undefined;
  const reader = new RtpStreamReader((p) => {
    const ts = p.readUInt32BE(4);
    firstTs ??= ts;
    packets.push({ at: (((ts - firstTs) >>> 0) / 90000) * 1000, data: Buffer.from(p) });
  });
  gst.stdout.on('data', (c: Buffer) => reader.push(c));
  await new Promise((r) => gst.once('exit', r));
  return packets;
}

/** Replays `packets` in real time to `send` for `ms`, looping as one long stream; returns the frames sent. */
async function replay(packets: readonly Packet[], ms: number, send: (p: Buffer) => void): Promise<number> {
  const loopMs = (packets[packets.length - 1]?.at ?? 0) + 1000 / 30;
  const loopTicks = Math.round((loopMs * 90000) / 1000);
  const start = performance.now();
  let i = 0;
  let round = 0;
  let frames = 0;
  let lastTs = -1;
  while (performance.now() - start < ms) {
    const packet = packets[i];
    if (packet === undefined) {
      i = 0;
      round++;
      continue;
    }
    const wait = start + round * loopMs + packet.at - performance.now();
    if (wait > 1) await sleep(wait);
    // Later loops continue the sequence numbers and timestamps; the stored packet is restored after.
    const data = packet.data;
    const seq = data.readUInt16BE(2);
    const ts = data.readUInt32BE(4);
    data.writeUInt16BE((seq + round * packets.length) & 0xffff, 2);
    data.writeUInt32BE((ts + round * loopTicks) >>> 0, 4);
    if (ts !== lastTs) frames++;
    lastTs = ts;
    send(data);
    data.writeUInt16BE(seq, 2);
    data.writeUInt32BE(ts, 4);
    i++;
  }
  return frames;
}

/** The reference: the same pipeline in gst-launch, RTP in and out on loopback UDP. */
async function measureGstLaunch(packets: readonly Packet[], workload: Workload, warmupMs: number, windowMs: number): Promise<Phase & { feedCpuMs: number }> {
  const out = createSocket('udp4');
  await new Promise<void>((r) => out.bind(0, '127.0.0.1', r));
  let packetsOut = 0;
  out.on('message', () => packetsOut++);
  const inPort = 20000 + Math.floor(Math.random() * 20000);
  const description = [
    `udpsrc address=127.0.0.1 port=${inPort} caps=application/x-rtp,media=video,clock-rate=90000,encoding-name=VP8,payload=96`,
    decodeChain(VP8, JITTER_MS).description,
    workload.middle,
    encodeChain(workload.output).description,
    `udpsink host=127.0.0.1 port=${out.address().port} sync=false async=false`,
  ].join(' ! ');
  const gst = spawn('/usr/bin/gst-launch-1.0', ['-q', ...description.split(' ')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const pid = gst.pid ?? 0;
  await sleep(500);
  const socket = createSocket('udp4');
  const send = (p: Buffer): void => socket.send(p, inPort, '127.0.0.1');
  await replay(packets, warmupMs, send);
  const cpu0 = cpuSeconds(pid);
  const node0 = nodeCpuMs();
  const out0 = packetsOut;
  const frames = await replay(packets, windowMs, send);
  const cpuMs = (cpuSeconds(pid) - cpu0) * 1000;
  const feedCpuMs = nodeCpuMs() - node0;
  const result = { cpuMs, frames, packetsOut: packetsOut - out0, feedCpuMs };
  gst.kill('SIGKILL');
  await new Promise((r) => gst.once('exit', r));
  socket.close();
  out.close();
  return result;
}

/** Ours: the unit's process plus Node's cost of feeding it and reading it, over the pacing floor. */
async function measureUnit(packets: readonly Packet[], workload: Workload, backend: ProcessingBackend, warmupMs: number, windowMs: number, floorMsPerSecond: number): Promise<Phase & { unitCpuMs: number; nodeCpuMs: number }> {
  const unit = await workload.start(backend);
  const pid = unit.pid ?? 0;
  let packetsOut = 0;
  unit.packets.add(() => packetsOut++);
  const send = (p: Buffer): void => unit.push(p);
  await replay(packets, warmupMs, send);
  const cpu0 = cpuSeconds(pid);
  const node0 = nodeCpuMs();
  const out0 = packetsOut;
  const started = performance.now();
  const frames = await replay(packets, windowMs, send);
  const elapsed = performance.now() - started;
  const unitCpuMs = (cpuSeconds(pid) - cpu0) * 1000;
  const nodeCpuMs_ = Math.max(0, nodeCpuMs() - node0 - (floorMsPerSecond * elapsed) / 1000);
  const result = { cpuMs: unitCpuMs + nodeCpuMs_, unitCpuMs, nodeCpuMs: nodeCpuMs_, frames, packetsOut: packetsOut - out0 };
  await unit.close();
  return result;
}

/** Node's cost of pacing alone (the replay loop handing packets to nothing), ms per second. */
async function pacingFloor(packets: readonly Packet[], ms: number): Promise<number> {
  const node0 = nodeCpuMs();
  const started = performance.now();
  let sink = 0;
  await replay(packets, ms, (p) => (sink += p.length));
  void sink;
  return ((nodeCpuMs() - node0) / (performance.now() - started)) * 1000;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, warmup: { type: 'string', default: '2' }, rounds: { type: 'string', default: '1' }, json: { type: 'boolean', default: false } } });
  const windowMs = Number(values.seconds) * 1000;
  const warmupMs = Number(values.warmup) * 1000;
  setLogLevel('warn');
  const backend = new ProcessingBackend({ jitterLatencyMs: JITTER_MS });
  const availability = await backend.availability();
  if (!availability.available || availability.missing.length > 0) throw new Error(`GStreamer processing is not fully installed: ${availability.advice}`);
  const packets = await encodeStream(10);
  await pacingFloor(packets, 1000); // warms the replay loop up
  const rows: Record<string, unknown>[] = [];
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const workload of WORKLOADS) {
      const floor = await pacingFloor(packets, 2000);
      const reference = await measureGstLaunch(packets, workload, warmupMs, windowMs);
      const ours = await measureUnit(packets, workload, backend, warmupMs, windowMs, floor);
      const row = {
        workload: workload.name,
        round: round + 1,
        gstLaunchMsPerFrame: reference.cpuMs / reference.frames,
        oursMsPerFrame: ours.cpuMs / ours.frames,
        unitProcessMsPerFrame: ours.unitCpuMs / ours.frames,
        nodeMsPerFrame: ours.nodeCpuMs / ours.frames,
        udpFeedMsPerFrame: Math.max(0, reference.feedCpuMs - (floor * windowMs) / 1000) / reference.frames,
        ratio: ours.cpuMs / ours.frames / (reference.cpuMs / reference.frames),
        processRatio: ours.unitCpuMs / ours.frames / (reference.cpuMs / reference.frames),
        ratioWithUdpFeed: 0,
        framesIn: ours.frames,
        packetsOut: { gstLaunch: reference.packetsOut, ours: ours.packetsOut },
      };
      row.ratioWithUdpFeed = row.oursMsPerFrame / (row.gstLaunchMsPerFrame + row.udpFeedMsPerFrame);
      rows.push(row);
      if (!values.json) {
        console.log(
          `${row.workload} (round ${row.round}): gst-launch ${row.gstLaunchMsPerFrame.toFixed(2)} ms/frame (+ ${row.udpFeedMsPerFrame.toFixed(2)} for Node to feed it by UDP), ` +
            `ours ${row.oursMsPerFrame.toFixed(2)} (unit process ${row.unitProcessMsPerFrame.toFixed(2)} + Node ${row.nodeMsPerFrame.toFixed(2)}); ` +
            `ratio ${row.ratio.toFixed(2)}, process alone ${(row.unitProcessMsPerFrame / row.gstLaunchMsPerFrame).toFixed(2)}, with the UDP feed ${row.ratioWithUdpFeed.toFixed(2)}; packets out ${ours.packetsOut} vs ${reference.packetsOut}`,
        );
      }
    }
  }
  if (values.json) console.log(JSON.stringify({ rows }));
  await backend.closeAll();
}

await main();
