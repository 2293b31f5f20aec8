/**
 * The per-packet floor at a given packet rate: an echo child (echo.ts) pinned like the servers
 * under test, fed valid SRTP (AEAD_AES_128_GCM) at `pps` in 1 ms bursts with the bench's packet
 * mix, and its CPU per echoed packet. The sender uses the addon (sendmmsg, in-place SRTP) when it
 * is built, so that it stays cheap on its own core; otherwise node:dgram and SrtpContext.
 */
import { fork } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { SrtpContext } from '../../packages/media-server/src/rtp/SrtpContext.js';
import { DatagramKind, nativeStatus, NativeSrtpSession, NativeUdpSocket } from '../../packages/native/src/index.js';
import { pinProcess } from '../lib/cpuPinning.js';
import { runSeconds } from '../lib/procstat.js';
import type { FloorMode } from './echo.js';

export type { FloorMode } from './echo.js';

export interface FloorOptions {
  /** Packets per second offered. */
  pps: number;
  seconds: number;
  /** Core of the echo child (undefined: not pinned). */
  core: number | undefined;
  /** Fraction of the packets that are video-sized (the rest audio-sized). */
  videoShare: number;
  videoBytes: number;
  audioBytes: number;
  /** Send every this many ms (1: the bench's 1 ms bursts). */
  everyMs?: number;
}

export interface FloorResult {
  mode: FloorMode;
  pps: number;
  sent: number;
  echoed: number;
  lossPercent: number;
  /** Echo process CPU per echoed packet. */
  cpuMicrosPerPacket: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ECHO = fileURLToPath(new URL('./echo.ts', import.meta.url));
const SETTLE_MS = 300;

/** Whether the native floor can be measured here (the addon is built and not turned off). */
export function nativeFloorAvailable(): boolean {
  return nativeStatus().native;
}

/** Sends SRTP to `port` and counts what comes back; one implementation per availability of the addon. */
interface FloorSender {
  send(count: number, index: number): void;
  readonly echoed: number;
  close(): void;
}

async function nativeSender(port: number, key: Buffer, salt: Buffer, options: FloorOptions): Promise<FloorSender> {
  const srtp = new NativeSrtpSession('AEAD_AES_128_GCM', key, salt);
  let echoed = 0;
  const socket = new NativeUdpSocket({
    address: '127.0.0.1',
    batch: 64,
    txCapacity: 256,
    onBatch(s, count) {
      for (let i = 0; i < count; i++) if (s.rxKind[i] === DatagramKind.rtp) echoed++;
    },
  });
  const peer = socket.addPeer('127.0.0.1', port);
  const seq = new Uint16Array(2);
  return {
    send(count, index) {
      let queued = 0;
      for (let k = 0; k < count; k++) {
        const video = ((index + k) % 1000) / 1000 < options.videoShare;
        const length = video ? options.videoBytes : options.audioBytes;
        const at = socket.txSlotOffset(queued);
        const stream = video ? 0 : 1;
        socket.slab.fill(0, at, at + length);
        socket.slab[at] = 0x80;
        socket.slab[at + 1] = video ? 96 : 111;
        socket.slab.writeUInt16BE(seq[stream] ?? 0, at + 2);
        seq[stream] = (seq[stream] ?? 0) + 1;
        socket.slab.writeUInt32BE(video ? 0x0f100001 : 0x0f100002, at + 8);
        socket.txOffset[queued] = at;
        socket.txLength[queued] = srtp.protectRtp(socket.slab, at, length);
        socket.txPeer[queued] = peer;
        if (++queued === socket.txCapacity) {
          socket.flush(queued);
          queued = 0;
        }
      }
      if (queued > 0) socket.flush(queued);
    },
    get echoed() {
      return echoed;
    },
    close: () => socket.close(),
  };
}

async function nodeSender(port: number, key: Buffer, salt: Buffer, options: FloorOptions): Promise<FloorSender> {
  const srtp = new SrtpContext('AEAD_AES_128_GCM', key, salt);
  const socket = createSocket('udp4');
  let echoed = 0;
  socket.on('message', () => echoed++);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const seq = new Uint16Array(2);
  return {
    send(count, index) {
      for (let k = 0; k < count; k++) {
        const video = ((index + k) % 1000) / 1000 < options.videoShare;
        const header = Buffer.alloc(12);
        const stream = video ? 0 : 1;
        header[0] = 0x80;
        header[1] = video ? 96 : 111;
        header.writeUInt16BE(seq[stream] ?? 0, 2);
        seq[stream] = (seq[stream] ?? 0) + 1;
        header.writeUInt32BE(video ? 0x0f100001 : 0x0f100002, 8);
        socket.send(srtp.protect(header, 12, Buffer.alloc((video ? options.videoBytes : options.audioBytes) - 12)), port, '127.0.0.1');
      }
    },
    get echoed() {
      return echoed;
    },
    close: () => socket.close(),
  };
}

/** Measures one floor point: the echo child's CPU per echoed packet at `options.pps`. */
export async function measureFloor(mode: FloorMode, options: FloorOptions): Promise<FloorResult> {
  const keys = [randomBytes(16), randomBytes(12), randomBytes(16), randomBytes(12)];
  const child = fork(ECHO, [mode], { execArgv: ['--import', 'tsx'], env: { ...process.env, FLOOR_KEYS: keys.map((k) => k.toString('hex')).join(',') }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`floor echo (${mode}) did not start: ${stderr}`)), 20_000);
      child.once('message', (p) => (clearTimeout(timer), resolve(p as number)));
      child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`floor echo (${mode}) exited ${code}: ${stderr}`))));
    });
    const pid = child.pid ?? 0;
    pinProcess(pid, options.core);
    const [key = Buffer.alloc(16), salt = Buffer.alloc(12)] = keys;
    const sender = nativeFloorAvailable() ? await nativeSender(port, key, salt, options) : await nodeSender(port, key, salt, options);
    try {
      const everyMs = options.everyMs ?? 1;
      const run = async (seconds: number, from: number): Promise<number> => {
        const start = performance.now();
        let sent = 0;
        while (performance.now() - start < seconds * 1000) {
          const due = Math.floor(((performance.now() - start) / 1000) * options.pps);
          if (due > sent) sender.send(due - sent, from + sent);
          sent = Math.max(sent, due);
          await sleep(everyMs);
        }
        return sent;
      };
      await run(0.5, 0); // warm-up: JIT, first SSRC state
      await sleep(SETTLE_MS);
      const echoedBefore = sender.echoed;
      const cpuBefore = runSeconds(pid);
      const sent = await run(options.seconds, 1_000_000);
      await sleep(SETTLE_MS);
      const cpu = runSeconds(pid) - cpuBefore; // scheduler ns: clock ticks are too coarse for a short window
      const echoed = sender.echoed - echoedBefore;
      return {
        mode,
        pps: options.pps,
        sent,
        echoed,
        lossPercent: sent > 0 ? Number(((100 * Math.max(0, sent - echoed)) / sent).toFixed(2)) : Number.NaN,
        cpuMicrosPerPacket: echoed > 0 ? Number(((cpu * 1e6) / echoed).toFixed(2)) : Number.NaN,
      };
    } finally {
      sender.close();
    }
  } finally {
    child.kill();
  }
}
