/**
 * The hat the mirror puts on faces, and where the media server reads it. The PNG ships in
 * img/hat.png; the media server loads overlay images only from its media roots or over http(s),
 * so the app copies it into a folder of its own under the system's temporary folder (the
 * embedded media server's default media root) and removes it when it stops.
 * MAGIC_MIRROR_HAT_URI gives another URI instead (an http:// one for a media server elsewhere).
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HAT_PNG = fileURLToPath(new URL('../img/hat.png', import.meta.url));

/** Where the hat goes on a face, as ratios of the face's box (Kurento's magic-mirror values). */
export const HAT_PLACEMENT = { offsetXPercent: -0.35, offsetYPercent: -1.2, widthPercent: 1.6, heightPercent: 1.6 } as const;

/** The hat's URI for the media server, and the clean-up of what was made for it. */
export interface Hat {
  readonly uri: string;
  remove(): Promise<void>;
}

/** The hat given by `MAGIC_MIRROR_HAT_URI`, or ours copied under the temporary folder. */
export async function placeHat(env: NodeJS.ProcessEnv = process.env): Promise<Hat> {
  const given = env['MAGIC_MIRROR_HAT_URI'];
  if (given) return { uri: given, remove: async () => undefined };
  const dir = await mkdtemp(join(tmpdir(), 'kurento-ts-magic-mirror-'));
  const file = join(dir, 'hat.png');
  await copyFile(HAT_PNG, file);
  return { uri: pathToFileURL(file).href, remove: () => rm(dir, { recursive: true, force: true }) };
}
