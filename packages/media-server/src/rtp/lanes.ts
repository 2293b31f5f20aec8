/**
 * What a forwarding lane (@kurento-ts/native's csrc/lane.c) needs from the graph to run an edge
 * in C, and what each side books for every packet the lane forwarded. The lane repeats what the
 * TypeScript path just did for a packet, so a route exists only while every part of that path is
 * in its steady state; anything that changes it bumps the epoch of its LaneScope.
 */
import { invalidateLanes, laneCell, laneEpoch, type LaneSinkBooks, type LaneTarget } from '@kurento-ts/native';

/**
 * The lanes one change can affect: a pipeline's (every edge of a lane joins two endpoints of one
 * pipeline), or the thread's for what has no pipeline. Its epoch cell is bumped by every change of
 * its graph, transports and streams, and stops only its own lanes: a session joining or leaving
 * one pipeline leaves every other pipeline's lanes running.
 */
export class LaneScope {
  /** Every lane of the thread. */
  static readonly thread = new LaneScope(0);
  private static serial = 0;

  /** A new pipeline's scope. */
  static forPipeline(): LaneScope {
    return new LaneScope(laneCell(++LaneScope.serial));
  }

  private constructor(readonly cell: number) {}

  /** Stops this scope's lanes until the TypeScript path arms them again. */
  invalidate(): void {
    invalidateLanes(this.cell);
  }

  /** Changes whenever this scope's lanes were stopped. */
  get epoch(): number {
    return laneEpoch(this.cell);
  }
}

/** One sink of a lane: where C writes the packet, and the sink's bookkeeping of each one sent. */
export interface LaneSink {
  readonly target: LaneTarget;
  /**
   * What C books for each packet sent here, exactly what `sent` does, as of now (a ring's slab
   * changes as it grows: asked at every arming); none: `sent` books them all. A wrapper that adds
   * work to `sent` gives books only with that work's ledger in them.
   */
  books?(): LaneSinkBooks | undefined;
  /** `out` is the protected packet in the target's send slot (valid during the call), `payloadLength` the forwarded payload's, `plain` the source packet with its `headerLength`-byte header. */
  sent(out: Buffer, payloadLength: number, plain: Buffer, headerLength: number, nowMs: number): void;
}

/** What the source endpoint hands a lane: its sinks, and its own bookkeeping of each packet received. */
export interface LaneRoute {
  readonly sinks: readonly LaneSink[];
  received(payloadLength: number): void;
  /** The ledger `received` counts into (the source's flow in), for C to book it; undefined: JS books every packet. */
  readonly flow?: Float64Array;
}

/** The ledgers a receive chain's stages keep for a stream, for a lane to book them in C. */
export interface StageLedgers {
  nack?: Float64Array;
  twcc?: { cells: Float64Array; records: Float64Array; extensionId: number };
}
