/**
 * Real media for the processing tests: gst-launch-1.0 as the RTP sender (a picture or a test
 * pattern, encoded and payloaded by GStreamer) and as the receiver that decodes a unit's output
 * to raw luma frames; pictures made from files Debian ships (skimage's astronaut: a face that
 * OpenCV's cascade finds). Packets go over pipes in RFC 4571 framing, like the units' own.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { RtpStreamReader, RtpStreamWriter } from '../../../src/processing/rtpStreamFraming.js';

/** A picture with a face, from Debian's python3-skimage. */
export const ASTRONAUT = '/usr/lib/python3/dist-packages/skimage/data/astronaut.png';
export const WIDTH = 640;
export const HEIGHT = 480;

const GST = '/usr/bin/gst-launch-1.0';

/** A gst-launch process with its output and a way to stop it. */
export interface GstProcess {
  readonly process: ChildProcessByStdio<Writable, Readable, Readable>;
  /** Resolves with the exit code when it ends. */
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

function launch(description: string): GstProcess {
  const process = spawn(GST, ['-q', ...description.split(/\s+/).filter((s) => s !== '')], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => process.once('exit', (code) => resolve(code)));
  process.stdin.on('error', () => undefined);
  process.stderr.resume();
  return {
    process,
    exited,
    async stop() {
      if (process.exitCode === null && process.signalCode === null) process.kill('SIGKILL');
      await exited;
    },
  };
}

/** A raw 640×480 30 fps live video source: a picture (scaled to fill the frame) or a test pattern. */
export function rawSource(picture: string | undefined, frames: number): string {
  if (picture === undefined) return `videotestsrc is-live=true num-buffers=${frames} pattern=smpte ! video/x-raw,width=${WIDTH},height=${HEIGHT},framerate=30/1`;
  return `filesrc location=${picture} ! decodebin ! videoconvert ! videoscale ! video/x-raw,width=${WIDTH},height=${HEIGHT} ! imagefreeze is-live=true num-buffers=${frames} ! video/x-raw,framerate=30/1 ! videoconvert`;
}

/** Encoder and payloader of a test sender, per codec name. */
export const SENDER_ENCODERS = {
  VP8: 'vp8enc deadline=1 cpu-used=4 target-bitrate=2000000 keyframe-max-dist=30 ! rtpvp8pay pt=96 mtu=1200 picture-id-mode=15-bit',
  VP9: 'vp9enc deadline=1 cpu-used=8 target-bitrate=2000000 keyframe-max-dist=30 ! rtpvp9pay pt=98 mtu=1200',
  H264: 'x264enc tune=zerolatency speed-preset=ultrafast bitrate=2000 key-int-max=30 ! video/x-h264,profile=constrained-baseline ! rtph264pay pt=102 mtu=1200 config-interval=-1 aggregate-mode=zero-latency',
} as const;

/** Sends RTP: `source ! encoder ! rtpstreampay` on stdout; each packet goes to `onPacket`. */
export function rtpSender(source: string, encoder: string, onPacket: (packet: Buffer) => void): GstProcess {
  const sender = launch(`${source} ! ${encoder} ! rtpstreampay ! fdsink fd=1`);
  const reader = new RtpStreamReader(onPacket);
  sender.process.stdout.on('data', (chunk: Buffer) => reader.push(chunk));
  return sender;
}

/** An audio sender: a 440 Hz tone, 20 ms frames. */
export function audioSender(encoder: string, seconds: number, onPacket: (packet: Buffer) => void): GstProcess {
  const buffers = Math.round(seconds * 50);
  return rtpSender(`audiotestsrc is-live=true wave=sine freq=440 samplesperbuffer=960 num-buffers=${buffers} ! audio/x-raw,rate=48000,channels=2`, encoder, onPacket);
}

/** Receives RTP on stdin (feed it with `push`), decodes with `decode`, and collects raw GRAY8 frames. */
export class LumaReceiver {
  /** The latest frames (8 at most). */
  readonly frames: Buffer[] = [];
  /** Frames decoded so far. */
  count = 0;
  private readonly gst: GstProcess;
  private readonly writer: RtpStreamWriter;
  private pending = Buffer.alloc(0);

  constructor(rtpCaps: string, decode: string) {
    this.gst = launch(`fdsrc fd=0 ! ${rtpCaps} ! rtpstreamdepay ! rtpjitterbuffer latency=50 ! ${decode} ! videoconvert ! videoscale ! video/x-raw,format=GRAY8,width=${WIDTH},height=${HEIGHT} ! fdsink fd=1 sync=false`);
    this.writer = new RtpStreamWriter(this.gst.process.stdin);
    this.gst.process.stdout.on('data', (chunk: Buffer) => this.collect(chunk));
  }

  /** Feeds one RTP packet. */
  push(packet: Buffer): void {
    this.writer.push(packet);
  }

  /** The latest complete frame. */
  get last(): Buffer | undefined {
    return this.frames[this.frames.length - 1];
  }

  async stop(): Promise<void> {
    this.writer.close();
    await this.gst.stop();
  }

  private collect(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    const size = WIDTH * HEIGHT;
    while (this.pending.length >= size) {
      this.frames.push(Buffer.from(this.pending.subarray(0, size)));
      this.count++;
      this.pending = this.pending.subarray(size);
      if (this.frames.length > 8) this.frames.shift();
    }
  }
}

/** Receiver caps and decoder per codec name (what a peer of that codec would run). */
export const RECEIVER = {
  VP8: { caps: 'application/x-rtp-stream,media=video,clock-rate=90000,encoding-name=VP8,payload=96', decode: 'rtpvp8depay ! vp8dec' },
  H264: { caps: 'application/x-rtp-stream,media=video,clock-rate=90000,encoding-name=H264,payload=102', decode: 'rtph264depay ! avdec_h264' },
} as const;

/** The reference picture as 640×480 GRAY8, decoded straight from the file. */
export async function referenceLuma(picture: string): Promise<Buffer> {
  const gst = launch(`filesrc location=${picture} ! decodebin ! videoconvert ! videoscale ! video/x-raw,width=${WIDTH},height=${HEIGHT} ! videoconvert ! video/x-raw,format=GRAY8 ! fdsink fd=1`);
  const parts: Buffer[] = [];
  gst.process.stdout.on('data', (chunk: Buffer) => parts.push(chunk));
  await gst.exited;
  const frame = Buffer.concat(parts);
  if (frame.length !== WIDTH * HEIGHT) throw new Error(`reference picture: ${frame.length} bytes, not ${WIDTH * HEIGHT}`);
  return frame;
}

/** A luma frame mirrored left to right. */
export function mirrored(frame: Buffer): Buffer {
  const out = Buffer.alloc(frame.length);
  for (let y = 0; y < HEIGHT; y++) {
    const row = y * WIDTH;
    for (let x = 0; x < WIDTH; x++) out[row + x] = frame[row + WIDTH - 1 - x] ?? 0;
  }
  return out;
}

/** A luma frame turned upside down. */
export function upsideDown(frame: Buffer): Buffer {
  const out = Buffer.alloc(frame.length);
  for (let y = 0; y < HEIGHT; y++) frame.copy(out, (HEIGHT - 1 - y) * WIDTH, y * WIDTH, (y + 1) * WIDTH);
  return out;
}

/** A rectangle of the frame. */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Mean absolute difference of two luma frames inside `box` (the whole frame by default). */
export function meanDifference(a: Buffer, b: Buffer, box: Box = { x: 0, y: 0, width: WIDTH, height: HEIGHT }): number {
  let sum = 0;
  for (let y = box.y; y < box.y + box.height; y++) {
    for (let x = box.x; x < box.x + box.width; x++) sum += Math.abs((a[y * WIDTH + x] ?? 0) - (b[y * WIDTH + x] ?? 0));
  }
  return sum / (box.width * box.height);
}

/** Mean absolute difference outside `box`. */
export function meanDifferenceOutside(a: Buffer, b: Buffer, box: Box): number {
  let sum = 0;
  let count = 0;
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      if (x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height) continue;
      sum += Math.abs((a[y * WIDTH + x] ?? 0) - (b[y * WIDTH + x] ?? 0));
      count++;
    }
  }
  return sum / count;
}

/** Writes a unit's output, depayloaded and muxed by gst-launch, to a file that ffprobe then reads. */
export class EncodedCapture {
  private readonly gst: GstProcess;
  private readonly writer: RtpStreamWriter;

  /** `rtpCaps` without payload: the payload type is added. */
  constructor(rtpCaps: string, depayAndMux: string, readonly file: string) {
    this.gst = launch(`fdsrc fd=0 ! ${rtpCaps} ! rtpstreamdepay ! rtpjitterbuffer latency=50 ! ${depayAndMux} ! filesink location=${file}`);
    this.writer = new RtpStreamWriter(this.gst.process.stdin);
  }

  push(packet: Buffer): void {
    this.writer.push(packet);
  }

  /** Ends the stream (EOS, so muxers finish the file) and waits for gst-launch to exit. */
  async finish(): Promise<void> {
    this.writer.flush();
    this.gst.process.stdin.end();
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 5000).unref());
    await Promise.race([this.gst.exited, timeout]);
    await this.gst.stop();
  }
}

/** What ffprobe reads of a file's first stream. */
export interface Probed {
  readonly codec_name: string;
  readonly profile?: string;
  readonly width?: number;
  readonly height?: number;
  readonly sample_rate?: string;
  readonly nb_read_frames?: string;
}

/** Runs ffprobe (counting the frames it decodes) on a file. */
export async function ffprobe(file: string): Promise<Probed> {
  const probe = spawn('/usr/bin/ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,profile,width,height,sample_rate,nb_read_frames', '-of', 'json', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  probe.stdout.on('data', (c: Buffer) => (out += c.toString()));
  probe.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((resolve) => probe.once('exit', resolve));
  if (code !== 0) throw new Error(`ffprobe ${file}: ${err}`);
  const streams = (JSON.parse(out) as { streams: Probed[] }).streams;
  const first = streams[0];
  if (first === undefined) throw new Error(`ffprobe ${file}: no stream`);
  return first;
}

/** Caps for a receiver from a unit's reported output caps (e.g. AAC's config and sizes). */
export function capsFromOutput(caps: Readonly<Record<string, string | number>>): string {
  const fields = Object.entries(caps).map(([k, v]) => (typeof v === 'number' ? `${k}=(int)${v}` : `${k}=(string)${/^[A-Za-z0-9._-]+$/.test(v) ? v : `"${v}"`}`));
  return `application/x-rtp-stream,${fields.join(',')}`;
}
