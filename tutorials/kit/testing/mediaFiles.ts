/**
 * Media files as the recorder and player tutorials' tests judge and make them, with the tools a
 * user would reach for: ffprobe says what a file holds, ffmpeg decodes every frame of it, and
 * ffmpeg makes a test video to play.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** What ffprobe reads in a file: its duration (s) and its streams' codecs, sorted ("opus", "vp8"). */
export interface FileFacts {
  duration: number;
  codecs: string[];
}

/** ffprobe's view of `path`; rejects when ffprobe cannot read it. */
export async function probeFile(path: string): Promise<FileFacts> {
  const { stdout } = await exec('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name', '-of', 'json', path], { timeout: 30_000 });
  const facts = JSON.parse(stdout) as { format?: { duration?: string }; streams?: { codec_name: string }[] };
  return { duration: Number(facts.format?.duration), codecs: (facts.streams ?? []).map((s) => s.codec_name).sort() };
}

export { decodeErrors } from '@kurento-ts/test-utils';

/**
 * Makes a VP8/Opus WebM of `seconds` at `path`: ffmpeg's moving test pattern at 30 fps with a
 * tone, a keyframe every third of a second (a seek lands on the keyframe at or before where it was asked).
 */
export async function makeTestVideo(path: string, seconds: number): Promise<void> {
  await exec('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(seconds), '-g', '10',
    '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '800k',
    '-c:a', 'libopus', '-ac', '2',
    path,
  ], { timeout: 60_000 });
}
