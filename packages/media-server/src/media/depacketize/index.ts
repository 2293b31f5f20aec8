/** The depacketizer for a codec, by name. */
import { codecName } from '../../rtp/codecs.js';
import type { RtpCodec } from '../../types/media.js';
import type { Depacketizer, FrameHandler } from './Depacketizer.js';
import { H264Depacketizer } from './H264Depacketizer.js';
import { OpusDepacketizer } from './OpusDepacketizer.js';
import { Vp8Depacketizer } from './Vp8Depacketizer.js';
import { Vp9Depacketizer } from './Vp9Depacketizer.js';

export type { Depacketizer, EncodedFrame, FrameHandler } from './Depacketizer.js';
export { H264Depacketizer } from './H264Depacketizer.js';

/** A depacketizer for `codec`, or undefined when we have none. */
export function createDepacketizer(codec: Pick<RtpCodec, 'mimeType'>, onFrame: FrameHandler): Depacketizer | undefined {
  switch (codecName(codec)) {
    case 'VP8':
      return new Vp8Depacketizer(onFrame);
    case 'VP9':
      return new Vp9Depacketizer(onFrame);
    case 'H264':
      return new H264Depacketizer(onFrame);
    case 'OPUS':
      return new OpusDepacketizer(onFrame);
    default:
      return undefined;
  }
}
