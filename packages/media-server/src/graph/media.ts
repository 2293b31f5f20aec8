import type { MediaType } from '@kurento-ts/protocol';

/** A kind of RTP media the router moves. */
export type MediaKind = 'audio' | 'video';
/** Both kinds, in a fixed order. */
export const mediaKinds: readonly MediaKind[] = ['audio', 'video'];

/** The protocol's media type of an RTP kind. */
export const mediaTypeOf = (kind: MediaKind): MediaType => (kind === 'audio' ? 'AUDIO' : 'VIDEO');

/** The RTP kind of a protocol media type (DATA has none). */
export const kindOf = (type: MediaType): MediaKind | undefined => (type === 'AUDIO' ? 'audio' : type === 'VIDEO' ? 'video' : undefined);
