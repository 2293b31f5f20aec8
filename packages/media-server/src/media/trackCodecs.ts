/**
 * A file's tracks as RTP streams: the codec each would be negotiated as, whether our packetizers
 * can send it unchanged, and the packetizer that does. AAC goes out as RFC 3640 RTP (edges to
 * WebRTC transcode it); codecs we do not packetize are described with the reason.
 */
import type { InputTrack } from 'mediabunny';
import { codecName } from '../rtp/codecs.js';
import type { MediaKind, RtpCodec } from '../types/media.js';
import { AacPacketizer, aacHbrParameters } from './packetize/AacPacketizer.js';
import { H264Packetizer, parseAvcC } from './packetize/H264Packetizer.js';
import { OpusPacketizer } from './packetize/OpusPacketizer.js';
import type { FramePacketizer, RtpHeaderWriter } from './packetize/RtpPacketizer.js';
import { Vp8Packetizer } from './packetize/Vp8Packetizer.js';
import { Vp9Packetizer } from './packetize/Vp9Packetizer.js';

/** A track of the file, described as an RTP stream would be. */
export interface PlayerTrack {
  readonly kind: MediaKind;
  /** The codec as RTP names it (payload type: the player's own numbering). */
  readonly codec: RtpCodec;
  /** Whether the player sends it as it is; false: it needs transcoding (the processing backend). */
  readonly sendable: boolean;
  /** Why it cannot be sent as it is. */
  readonly reason?: string;
}

/** A track with what its packetizer needs. */
export interface TrackDescription {
  readonly info: PlayerTrack;
  /** H.264: NAL length size of the file's access units; undefined: Annex B. */
  readonly lengthSize?: number;
  /** H.264: SPS and PPS of the decoder configuration. */
  readonly parameterSets: readonly Uint8Array[];
}

/** Payload types the player numbers its streams with. */
const PAYLOAD_TYPES: Readonly<Record<string, number>> = { VP8: 96, VP9: 98, H264: 102, OPUS: 111, 'MPEG4-GENERIC': 97 };

const rtp = (mimeType: string, clockRate: number, parameters: Record<string, string>, channels?: number): RtpCodec => ({
  mimeType,
  clockRate,
  parameters,
  payloadType: PAYLOAD_TYPES[codecName({ mimeType })] ?? 99,
  ...(channels === undefined ? {} : { channels }),
});

const bytesOf = (source: ArrayBufferLike | ArrayBufferView): Uint8Array =>
  ArrayBuffer.isView(source) ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength) : new Uint8Array(source);

/** Describes one audio or video track of an input. */
export async function describeTrack(track: InputTrack): Promise<TrackDescription> {
  const codec = await track.getCodec();
  const name = (codec ?? 'unknown').toUpperCase();
  if (track.isVideoTrack()) {
    const config = await track.getDecoderConfig();
    if (codec === 'vp8') return { info: { kind: 'video', codec: rtp('video/VP8', 90000, {}), sendable: true }, parameterSets: [] };
    if (codec === 'vp9') {
      const profile = Number(/^vp09\.(\d\d)/.exec(config?.codec ?? '')?.[1] ?? '0');
      return { info: { kind: 'video', codec: rtp('video/VP9', 90000, { 'profile-id': String(profile) }), sendable: true }, parameterSets: [] };
    }
    if (codec === 'avc') {
      const avcC = config?.description ? parseAvcC(bytesOf(config.description)) : undefined;
      const parameters = { 'packetization-mode': '1', 'profile-level-id': (config?.codec ?? 'avc1.42e01f').slice(5, 11), 'level-asymmetry-allowed': '1' };
      return { info: { kind: 'video', codec: rtp('video/H264', 90000, parameters), sendable: true }, lengthSize: avcC?.lengthSize, parameterSets: avcC ? [...avcC.sps, ...avcC.pps] : [] };
    }
    const reason = `${name} video is not packetized by the player yet: it needs the processing backend`;
    return { info: { kind: 'video', codec: rtp(`video/${name}`, 90000, {}), sendable: false, reason }, parameterSets: [] };
  }
  if (codec === 'opus') return { info: { kind: 'audio', codec: rtp('audio/opus', 48000, { minptime: '10', useinbandfec: '1' }, 2), sendable: true }, parameterSets: [] };
  const audio = track.isAudioTrack() ? track : undefined;
  if (codec === 'aac' && audio) {
    // Sent as RFC 3640 AAC: WebRTC peers cannot take it, so edges to them transcode it to Opus (the processing backend).
    const config = await audio.getDecoderConfig();
    if (config?.description) {
      const parameters = aacHbrParameters(bytesOf(config.description));
      return { info: { kind: 'audio', codec: rtp('audio/mpeg4-generic', await audio.getSampleRate(), parameters, await audio.getNumberOfChannels()), sendable: true }, parameterSets: [] };
    }
  }
  const codecOf = rtp(`audio/${name}`, audio ? await audio.getSampleRate() : 48000, {}, audio ? await audio.getNumberOfChannels() : undefined);
  return { info: { kind: 'audio', codec: codecOf, sendable: false, reason: `${name} audio cannot go to WebRTC as it is: it needs transcoding to Opus (the processing backend)` }, parameterSets: [] };
}

/** The packetizer of a sendable track. */
export function packetizerFor(track: TrackDescription, header: RtpHeaderWriter): FramePacketizer {
  switch (codecName(track.info.codec)) {
    case 'VP8':
      return new Vp8Packetizer(header);
    case 'VP9':
      return new Vp9Packetizer(header);
    case 'H264':
      return new H264Packetizer(header, track.lengthSize, track.parameterSets);
    case 'MPEG4-GENERIC':
      return new AacPacketizer(header);
    default:
      return new OpusPacketizer(header);
  }
}
