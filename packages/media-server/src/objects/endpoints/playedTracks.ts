/** How an element that plays media of its own (a file, an upload) shows it in the graph. */
import type { MediaNode, NodeOwner } from '../../graph/MediaNode.js';
import type { MediaFileSource } from '../../media/index.js';
import { mediaKinds } from '../../types/media.js';

/** The source's tracks become the node's source pads, each with its codec; the edges downstream are evaluated again. */
export function publishTracks(node: MediaNode<NodeOwner>, source: MediaFileSource): void {
  for (const track of source.tracks) {
    const pad = node.pad(track.kind);
    pad.codecs = [track.codec];
    pad.active = track.codec;
    node.sourceChanged(track.kind);
  }
}

/** Once playing: each track's RTP ↔ wall-clock mapping, for the sinks' sender reports. */
export function publishClocks(node: MediaNode<NodeOwner>, source: MediaFileSource): void {
  for (const kind of mediaKinds) {
    const clock = source.clockMapping(kind);
    if (clock) node.pad(kind).clock = clock;
  }
}
