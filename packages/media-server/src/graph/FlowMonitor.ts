/**
 * Tracks whether media flows into and out of an element, per kind, for Kurento's
 * MediaFlowIn/OutStateChanged events. The per-packet cost is one increment and one flag test;
 * the FLOWING → NOT_FLOWING decision is taken on the pipeline's periodic tick.
 */
import { FlowCell } from '@kurento-ts/native';
import { mediaKinds, type MediaKind } from '../types/media.js';

/** Direction of flow relative to the element. */
export type FlowDirection = 'in' | 'out';

/** Ticks without a packet before a flow is declared stopped (the tick is 1 s). */
const IDLE_TICKS = 2;

class KindFlow {
  /** Packets, bytes and the FLOWING flag, in a ledger a forwarding lane books in C (@kurento-ts/native's ledgers). */
  readonly cells = new Float64Array(FlowCell.size);
  /** Packets seen since creation. */
  get packets(): number {
    return this.cells[FlowCell.packets] ?? 0;
  }
  set packets(value: number) {
    this.cells[FlowCell.packets] = value;
  }
  /** Bytes seen since creation. */
  get bytes(): number {
    return this.cells[FlowCell.bytes] ?? 0;
  }
  set bytes(value: number) {
    this.cells[FlowCell.bytes] = value;
  }
  /** Whether the flow is currently reported as FLOWING (a lane books only flowing flows: the first packet is the TypeScript path's). */
  get flowing(): boolean {
    return this.cells[FlowCell.flowing] === 1;
  }
  set flowing(value: boolean) {
    this.cells[FlowCell.flowing] = value ? 1 : 0;
  }
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

  /** The ledger of one flow, for a forwarding lane to count its packets in C. */
  cells(direction: FlowDirection, kind: MediaKind): Float64Array {
    return this[direction][kind].cells;
  }

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
