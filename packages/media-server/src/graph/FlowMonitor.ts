/**
 * Tracks whether media flows into and out of an element, per kind, for Kurento's
 * MediaFlowIn/OutStateChanged events. The per-packet cost is one increment and one flag test;
 * the FLOWING → NOT_FLOWING decision is taken on the pipeline's periodic tick.
 */
import { mediaKinds, type MediaKind } from '../types/media.js';

/** Direction of flow relative to the element. */
export type FlowDirection = 'in' | 'out';

/** Ticks without a packet before a flow is declared stopped (the tick is 1 s). */
const IDLE_TICKS = 2;

class KindFlow {
  /** Packets seen since creation. */
  packets = 0;
  /** Bytes seen since creation. */
  bytes = 0;
  /** Whether the flow is currently reported as FLOWING. */
  flowing = false;
  /** Packet count at the last tick. */
  packetsAtTick = 0;
  /** Consecutive ticks with no packet. */
  idleTicks = 0;
}

export class FlowMonitor {
  /** Counters per direction, indexed by kind. */
  readonly in: Record<MediaKind, KindFlow> = { audio: new KindFlow(), video: new KindFlow() };
  readonly out: Record<MediaKind, KindFlow> = { audio: new KindFlow(), video: new KindFlow() };

  /** @param onChange called when a flow starts or stops */
  constructor(private readonly onChange: (direction: FlowDirection, kind: MediaKind, flowing: boolean) => void) {}

  /** Counts one packet; reports FLOWING at the first one. */
  count(direction: FlowDirection, kind: MediaKind, bytes: number): void {
    const flow = this[direction][kind];
    flow.packets++;
    flow.bytes += bytes;
    if (!flow.flowing) {
      flow.flowing = true;
      flow.idleTicks = 0;
      this.onChange(direction, kind, true);
    }
  }

  /** Called once a second: flows without packets for a while become NOT_FLOWING. */
  tick(): void {
    for (const direction of ['in', 'out'] as const) {
      for (const kind of mediaKinds) {
        const flow = this[direction][kind];
        if (flow.packets !== flow.packetsAtTick) {
          flow.packetsAtTick = flow.packets;
          flow.idleTicks = 0;
        } else if (flow.flowing && ++flow.idleTicks >= IDLE_TICKS) {
          flow.flowing = false;
          this.onChange(direction, kind, false);
        }
      }
    }
  }
}
