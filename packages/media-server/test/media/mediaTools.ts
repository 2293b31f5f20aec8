/** ffmpeg fixtures and ffprobe judgements for the media tests (real files, real tools). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { decodeErrors } from '@kurento-ts/test-utils';
import { MediaFileSource } from '../../src/media/MediaFileSource.js';
import type { RecordingSink } from '../../src/media/RecordingSink.js';
import type { FileOrHttpUri } from '../../src/media/uris.js';

const run = promisify(execFile);

/** Seconds of every fixture. */
export const FIXTURE_SECONDS = 3;

/** The fixtures, by name: what Kurento users play (VP8/Opus WebM, H.264/AAC MP4, H.264/Opus MP4). */
export const fixtureArgs: Readonly<Record<string, readonly string[]>> = {
  'vp8-opus.webm': ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '800k', '-c:a', 'libopus', '-ac', '2'],
  'h264-aac.mp4': ['-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p', '-c:a', 'aac'],
  'h264-opus.mp4': ['-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p', '-c:a', 'libopus', '-ac', '2'],
  'vp9-opus.webm': ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '800k', '-c:a', 'libopus', '-ac', '2'],
  'h264-small.mp4': ['-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p', '-c:a', 'libopus', '-ac', '2'],
  'vp8-small.webm': ['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-c:a', 'libopus', '-ac', '2'],
};

/** Makes one fixture in `dir`: a test pattern and a tone, a key frame every half second. */
export async function makeFixture(dir: string, name: string, seconds = FIXTURE_SECONDS, file = name): Promise<string> {
  const out = join(dir, file);
  const size = name.includes('small') ? '320x240' : '640x360';
  const args = fixtureArgs[name];
  if (!args) throw new Error(`no fixture ${name}`);
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=30`, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(seconds), '-g', '15', ...args, out], { timeout: 60_000 });
  return out;
}

/** What ffprobe says of a file. */
export interface Probe {
  readonly duration: number;
  readonly streams: readonly { codec_type: string; codec_name: string; width?: number; height?: number; start_time?: string }[];
}

/** ffprobe's format and streams; throws when it cannot read the file. */
export async function probe(file: string): Promise<Probe> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,codec_name,width,height,start_time', '-of', 'json', file], { timeout: 30_000 });
  const parsed = JSON.parse(stdout) as { format?: { duration?: string }; streams?: Probe['streams'] };
  return { duration: Number(parsed.format?.duration ?? NaN), streams: parsed.streams ?? [] };
}

/** The codec names of a file's streams, sorted: `['opus', 'vp8']`. */
export const codecsOf = (p: Probe): string[] => p.streams.map((s) => s.codec_name).sort();

/** What ffmpeg prints decoding every frame (empty: every frame decodes; test-utils' decodeErrors), and the frames decoded. */
export async function decode(file: string): Promise<{ errors: string; videoFrames: number }> {
  const errors = await decodeErrors(file);
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file], { timeout: 60_000 }).catch(() => ({ stdout: '0' }));
  return { errors, videoFrames: Number(stdout.trim()) || 0 };
}

/** Plays `uri` into `sink`, with sender reports every 500 ms, to the end of the stream (bounded), then closes the player. */
export async function playInto(uri: FileOrHttpUri, sink: Pick<RecordingSink, 'pushRtp' | 'setClockMapping'>, options: { audioDelayMs?: number; seconds?: number } = {}): Promise<void> {
  const delay = options.audioDelayMs ?? 0;
  let ended: () => void = () => undefined;
  let failed: (e: Error) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    ended = resolve;
    failed = reject;
  });
  const player = await MediaFileSource.open(uri, {
    rtp: (kind, packet) => {
      if (kind === 'audio' && delay > 0) setTimeout(() => sink.pushRtp(kind, packet), delay);
      else sink.pushRtp(kind, packet);
    },
    endOfStream: () => ended(),
    error: (e) => failed(e),
  });
  const reports = setInterval(() => {
    for (const kind of ['audio', 'video'] as const) {
      const mapping = player.clockMapping(kind);
      if (mapping) sink.setClockMapping(kind, mapping);
    }
  }, 500);
  const limit = setTimeout(() => failed(new Error('playback did not end in time')), ((options.seconds ?? FIXTURE_SECONDS) + 10) * 1000);
  try {
    player.play();
    await done;
    await new Promise((r) => setTimeout(r, delay + 20)); // delayed audio still in flight
  } finally {
    clearInterval(reports);
    clearTimeout(limit);
    player.close();
  }
}

/** Presentation times (s) of the packets of a file's first `stream` ('a' or 'v') stream. */
export async function packetTimes(file: string, stream: 'a' | 'v'): Promise<number[]> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', `${stream}:0`, '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file], { timeout: 30_000 });
  return stdout.trim().split('\n').filter(Boolean).map(Number);
}
