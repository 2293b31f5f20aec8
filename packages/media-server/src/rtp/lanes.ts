/**
 * What a forwarding lane (@kurento-ts/native's csrc/lane.c) needs from the graph to run an edge
 * in C, and what each side books for every packet the lane forwarded. The lane repeats what the
 * TypeScript path just did for a packet, so a route exists only while every part of that path is
 * in its steady state; anything that changes it calls invalidateLanes().
 */
import type { LaneTarget } from '@kurento-ts/native';

/** One sink of a lane: where C writes the packet, and the sink's bookkeeping of each one sent. */
export interface LaneSink {
  readonly target: LaneTarget;
  /** `out` is the protected packet in the target's send slot (valid during the call), `payloadLength` the forwarded payload's, `plain` the source packet with its `headerLength`-byte header. */
  sent(out: Buffer, payloadLength: number, plain: Buffer, headerLength: number, nowMs: number): void;
}

/** What the source endpoint hands a lane: its sinks, and its own bookkeeping of each packet received. */
export interface LaneRoute {
  readonly sinks: readonly LaneSink[];
  received(payloadLength: number): void;
}
