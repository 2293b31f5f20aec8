/**
 * The media vocabulary every layer shares (a leaf module: it imports nothing of the server):
 * the kinds of RTP media, the codec an RTP stream carries, and the sender-report clock of a
 * stream.
 */
import type { MediaType } from '@kurento-ts/protocol';

/** A kind of RTP media the router moves. */
export type MediaKind = 'audio' | 'video';
/** Both kinds, in a fixed order. */
export const mediaKinds: readonly MediaKind[] = ['audio', 'video'];

/** The protocol's media type of an RTP kind. */
export const mediaTypeOf = (kind: MediaKind): MediaType => (kind === 'audio' ? 'AUDIO' : 'VIDEO');

/** The RTP kind of a protocol media type (DATA has none). */
export const kindOf = (type: MediaType): MediaKind | undefined => (type === 'AUDIO' ? 'audio' : type === 'VIDEO' ? 'video' : undefined);

/** One codec of an RTP stream, as an SDP m-line negotiates it (RFC 8866 §6.6, rtpmap and fmtp). */
export interface RtpCodec {
  /** `video/VP8`, `video/H264`, `audio/opus`... (the case of the SDP, compared without it). */
  readonly mimeType: string;
  /** RTP clock rate in Hz. */
  readonly clockRate: number;
  /** Audio channels (rtpmap's encoding parameters); undefined for video. */
  readonly channels?: number;
  /** Format parameters (the fmtp line), e.g. `{ 'profile-level-id': '42e01f', 'packetization-mode': '1' }`. */
  readonly parameters: Readonly<Record<string, string>>;
  /** The payload type that names this codec in the stream's own numbering. */
  readonly payloadType: number;
}

/**
 * What a sender report says of one stream (RFC 3550 §6.4.1): its RTP timestamp at a wall-clock
 * instant, which maps the stream's RTP clock onto the sender's wall clock for lip sync.
 */
export interface ClockMapping {
  readonly ssrc: number;
  /** RTP timestamp of the report. */
  readonly rtpTimestamp: number;
  /** The report's NTP time as Unix milliseconds (fractional). */
  readonly ntpMs: number;
  /** When it arrived, performance.now() milliseconds. */
  readonly receivedAtMs: number;
}
