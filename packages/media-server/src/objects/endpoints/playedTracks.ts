/** How an element that plays media of its own (a file, an upload, a camera) shows it in the graph. */
import type { MediaNode, NodeOwner } from '../../graph/MediaNode.js';
import type { PlayerTrack, VideoInfo } from '../../media/index.js';
import { mediaKinds, type ClockMapping, type MediaKind } from '../../types/media.js';

/** What a player plays: a file or URL (media/MediaFileSource.ts) or an RTSP camera (RtspPlayback.ts). */
export interface PlayedMedia {
  /** The tracks, each a source pad with its codec. */
  readonly tracks: readonly PlayerTrack[];
  readonly videoInfo: VideoInfo;
  /** Playing position, ms. */
  readonly position: number;
  play(): void;
  pause(): void;
  stop(): void;
  seek(ms: number): Promise<void>;
  /** Stops for good and gives back what it holds. Idempotent. */
  close(): void;
  /** A track's RTP ↔ wall-clock mapping, for the sinks' sender reports. */
  clockMapping(kind: MediaKind): ClockMapping | undefined;
}

/** The source's tracks become the node's source pads, each with its codec; the edges downstream are evaluated again. */
export function publishTracks(node: MediaNode<NodeOwner>, source: Pick<PlayedMedia, 'tracks'>): void {
  for (const track of source.tracks) {
    const pad = node.pad(track.kind);
    pad.codecs = [track.codec];
    pad.active = track.codec;
    node.sourceChanged(track.kind);
  }
}

/** Once playing: each track's RTP ↔ wall-clock mapping, for the sinks' sender reports. */
export function publishClocks(node: MediaNode<NodeOwner>, source: Pick<PlayedMedia, 'clockMapping'>): void {
  for (const kind of mediaKinds) {
    const clock = source.clockMapping(kind);
    if (clock) node.pad(kind).clock = clock;
  }
}
