import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/**
 * ffmpeg's arguments that decode every frame of `path` and print only errors. The null output
 * keeps the file's own time base (`-enc_time_base -1`): by default ffmpeg re-times frames onto
 * 1/frame-rate, and two frames of a camera's variable rate closer than that collide there and
 * are reported as "non monotonically increasing dts", though the file's timestamps increase.
 * Frames that do share a timestamp in the file are still reported.
 */
export const decodeArgs = (path: string): string[] => ['-v', 'error', '-i', path, '-enc_time_base', '-1', '-f', 'null', '-'];

/** What ffmpeg prints while decoding every frame of `path` ('' when all decode). */
export async function decodeErrors(path: string): Promise<string> {
  const { stderr } = await exec('ffmpeg', decodeArgs(path), { timeout: 60_000 }).catch((e: { stderr?: string }) => ({ stderr: e.stderr ?? String(e) }));
  return stderr.trim();
}
