/**
 * Fake cameras that can be told apart: each a Y4M file of a different still picture, made with
 * ffmpeg at test time, for Chromium's `--use-file-for-fake-video-capture` (one Chromium process
 * per participant, since the flag is the whole browser's). Each camera also keeps its picture as
 * ffmpeg decodes it, downscaled, to compare what a page shows with what was sent.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Width of the pictures compared (the page draws videos at this size too). */
export const PICTURE_WIDTH = 48;
/** Height of the pictures compared. */
export const PICTURE_HEIGHT = 36;

/** A picture with a face, from Debian's python3-skimage. */
export const ASTRONAUT = '/usr/lib/python3/dist-packages/skimage/data/astronaut.png';

/** Still pictures as ffmpeg lavfi sources, 320×240 at 15 fps (but the face), chosen to differ everywhere. */
const PICTURES = {
  bars: 'smptebars=size=320x240:rate=15',
  ramps: 'rgbtestsrc=size=320x240:rate=15',
  checkers: "nullsrc=size=320x240:rate=15,format=gbrp,geq=r='if(mod(floor(X/40)+floor(Y/40)\\,2)\\,240\\,30)':g='if(mod(floor(X/40)+floor(Y/40)\\,2)\\,200\\,30)':b='40'",
  rainbow: "nullsrc=size=320x240:rate=15,format=gbrp,geq=r='255*X/W':g='255*Y/H':b='255-255*X/W'",
  /** A face OpenCV's cascade finds (python3-skimage's astronaut), 640×480 so that it is found as in the media server's own tests. */
  face: `movie=${ASTRONAUT},scale=640:480,loop=loop=-1:size=1,fps=15`,
} as const;

/** The pictures a fake camera can show. */
export type PictureName = keyof typeof PICTURES;

/** One fake camera. */
export interface Camera {
  /** Which picture it shows. */
  picture: PictureName;
  /** The Y4M file to give Chromium. */
  file: string;
  /** Its picture as RGB bytes, PICTURE_WIDTH × PICTURE_HEIGHT. */
  reference: Buffer;
}

/** The cameras of a test, and their clean-up. */
export interface Cameras {
  /** One camera per picture asked for, in that order. */
  list: Camera[];
  /** Deletes the files. */
  remove(): void;
}

/** Makes a camera per picture (1 s of video, which Chromium loops) in a temporary folder. */
export async function makeCameras(pictures: readonly PictureName[]): Promise<Cameras> {
  const dir = mkdtempSync(join(tmpdir(), 'kurento-ts-cameras-'));
  try {
    const list = await Promise.all(pictures.map(async (picture): Promise<Camera> => {
      const file = join(dir, `${picture}.y4m`);
      await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', PICTURES[picture], '-frames:v', '15', '-pix_fmt', 'yuv420p', file]);
      const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', file, '-frames:v', '1', '-vf', `scale=${PICTURE_WIDTH}:${PICTURE_HEIGHT}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { encoding: 'buffer', maxBuffer: 1 << 20 });
      if (stdout.length !== PICTURE_WIDTH * PICTURE_HEIGHT * 3) throw new Error(`ffmpeg decoded ${stdout.length} bytes of ${file}`);
      return { picture, file, reference: stdout };
    }));
    return { list, remove: () => rmSync(dir, { recursive: true, force: true }) };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot make the fake cameras with ffmpeg (apt-get install -y ffmpeg): ${(e as Error).message}`);
  }
}

/** Mean absolute difference of two RGB pictures of the same size, 0..255 per channel. */
export function pictureDistance(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`pictures of different sizes (${a.length} and ${b.length} bytes)`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / a.length;
}
