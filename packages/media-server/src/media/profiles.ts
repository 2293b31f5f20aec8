/**
 * Kurento's recording profiles (MediaProfileSpecType) as containers and the codecs each holds
 * without transcoding. A profile whose codec the source lacks is refused before any file exists
 * (transcoding is the processing backend's job).
 */
import { codecLabel, codecName } from '../rtp/codecs.js';
import type { MediaKind, RtpCodec } from '../types/media.js';

/** The container a profile writes. */
export type Container = 'webm' | 'mkv' | 'mp4';

/** Kurento's profile names the recorder writes. */
export const mediaProfiles = ['WEBM', 'WEBM_AUDIO_ONLY', 'WEBM_VIDEO_ONLY', 'MKV', 'MKV_AUDIO_ONLY', 'MKV_VIDEO_ONLY', 'MP4', 'MP4_AUDIO_ONLY', 'MP4_VIDEO_ONLY'] as const;
/** One of them. */
export type MediaProfile = (typeof mediaProfiles)[number];

/** What a profile means. */
export interface ProfileSpec {
  readonly container: Container;
  /** The kinds it records. */
  readonly kinds: readonly MediaKind[];
  /** Codec names (`codecName`) it holds as they are, per kind. */
  readonly codecs: Readonly<Record<MediaKind, readonly string[]>>;
  /** The file's MIME type. */
  readonly mimeType: string;
}

const HOLDS: Readonly<Record<Container, Record<MediaKind, readonly string[]>>> = {
  // WebM is VP8/VP9/AV1 + Opus/Vorbis by definition (webmproject.org container guidelines).
  webm: { video: ['VP8', 'VP9'], audio: ['OPUS'] },
  mkv: { video: ['VP8', 'VP9', 'H264'], audio: ['OPUS'] },
  // Opus in ISOBMFF: the "Opus in ISOBMFF" encapsulation (dOps box), read by browsers and ffmpeg.
  mp4: { video: ['H264', 'VP9'], audio: ['OPUS'] },
};

const MIME: Readonly<Record<Container, string>> = { webm: 'video/webm', mkv: 'video/x-matroska', mp4: 'video/mp4' };

/** The spec of a profile name, or undefined for names we do not write (FLV, JPEG_VIDEO_ONLY, ...). */
export function profileSpec(name: string): ProfileSpec | undefined {
  if (!(mediaProfiles as readonly string[]).includes(name)) return undefined;
  const [prefix = '', suffix] = name.split('_', 2) as [string, string | undefined];
  const container = prefix.toLowerCase() as Container;
  const kinds: MediaKind[] = suffix === 'AUDIO' ? ['audio'] : suffix === 'VIDEO' ? ['video'] : ['audio', 'video'];
  return { container, kinds, codecs: HOLDS[container], mimeType: kinds.length === 1 && kinds[0] === 'audio' ? MIME[container].replace('video/', 'audio/') : MIME[container] };
}

/** A profile that cannot hold what the source sends; the message says which codec and what would. */
export class RecordingProfileError extends Error {
  override readonly name = 'RecordingProfileError';
}

/**
 * Checks the source's codecs against a profile: every kind the profile records and the source
 * has must be a codec the container holds. Throws RecordingProfileError naming the mismatch.
 */
export function checkProfile(name: string, codecs: Partial<Record<MediaKind, RtpCodec>>): ProfileSpec {
  const spec = profileSpec(name);
  if (!spec) throw new RecordingProfileError(`media profile ${name} is not supported; use one of ${mediaProfiles.join(', ')}`);
  for (const kind of spec.kinds) {
    const codec = codecs[kind];
    if (codec && !spec.codecs[kind].includes(codecName(codec))) {
      throw new RecordingProfileError(
        `media profile ${name} cannot hold ${kind} ${codecLabel(codec)} without transcoding (it holds ${spec.codecs[kind].join(', ')}); ` +
          `choose a profile that does, or negotiate one of those codecs`,
      );
    }
  }
  if (!spec.kinds.some((kind) => codecs[kind])) {
    throw new RecordingProfileError(`media profile ${name} records ${spec.kinds.join(' and ')}, but the source has no ${spec.kinds.join(' or ')} stream`);
  }
  return spec;
}
