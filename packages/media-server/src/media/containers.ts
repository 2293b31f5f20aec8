/**
 * mediabunny's muxer settings for each container, chosen for crash safety (measured in
 * shared/MEDIA-STACK.md): Matroska append-only (a SIGKILL leaves a clean file; the stop pass in
 * `finalizeRecording` adds duration and cues), MP4 fragmented (a SIGKILL leaves the fragments
 * written; a clean stop adds `mfra`, so it seeks), each cluster or fragment one second long.
 */
import { Conversion, FilePathSource, FilePathTarget, Input, MATROSKA, MkvOutputFormat, Mp4OutputFormat, Output, type OutputFormat, WEBM, WebMOutputFormat } from 'mediabunny';
import { rename, rm, stat } from 'node:fs/promises';
import type { Container } from './profiles.js';

/** The muxer format of a container, as the recorder writes it live. */
export function liveFormat(container: Container): OutputFormat {
  switch (container) {
    case 'webm':
      return new WebMOutputFormat({ appendOnly: true, minimumClusterDuration: 1 });
    case 'mkv':
      return new MkvOutputFormat({ appendOnly: true, minimumClusterDuration: 1 });
    case 'mp4':
      return new Mp4OutputFormat({ fastStart: 'fragmented', minimumFragmentDuration: 1 });
  }
}

/**
 * After a clean stop: an append-only Matroska file has no duration and no cues, so it is
 * remuxed (packets copied, nothing decoded) into a seekable one that replaces it. A fragmented
 * MP4 is already seekable. When the pass fails, the append-only file stays: it still plays.
 */
export async function finalizeRecording(path: string, container: Container): Promise<boolean> {
  if (container === 'mp4') return true;
  if (!(await stat(path).catch(() => undefined))?.isFile()) return false; // a pipe or device: nothing to remux
  const tmp = `${path}.finalizing`;
  const input = new Input({ source: new FilePathSource(path), formats: [WEBM, MATROSKA] });
  try {
    const output = new Output({ format: container === 'webm' ? new WebMOutputFormat() : new MkvOutputFormat(), target: new FilePathTarget(tmp) });
    const conversion = await Conversion.init({ input, output, showWarnings: false });
    if (!conversion.isValid || conversion.discardedTracks.length > 0) throw new Error('remux would drop tracks');
    await conversion.execute();
    await rename(tmp, path);
    return true;
  } catch {
    await rm(tmp, { force: true });
    return false;
  } finally {
    input.dispose();
  }
}
