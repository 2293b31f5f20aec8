/**
 * What one host (the main thread, or a media worker) reports when an operator looks: its
 * pipelines with their elements and edges, the totals of every element it ran (live and
 * released), its transcoders, and its thread's vitals (event-loop delay and busy time, heap).
 * Read at the moment of the look; nothing here runs per packet.
 */
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { MediaElement } from '../objects/MediaElement.js';
import { addToTotals, mergeTotals, type PipelineView, type TotalsTable } from '../objects/observation.js';
import type { ObjectRegistry } from '../registry/ObjectRegistry.js';
import { mediaKinds } from '../types/media.js';

/** A thread's vitals since it started. */
export interface ThreadVitals {
  /** Event-loop delay since the previous metrics scrape (or the thread's start), in seconds: median, 99th percentile, maximum. */
  loopDelay: { p50: number; p99: number; max: number };
  /** Seconds the thread's event loop was busy (not waiting for I/O) since it started: its CPU time, near enough. */
  busySeconds: number;
  /** JavaScript heap in use, in bytes. */
  heapUsedBytes: number;
}

/** One host's report. */
export interface HostObservation {
  pipelines: PipelineView[];
  /** Counters of every element this host ran, by `type|kind`. */
  totals: TotalsTable;
  transcoders: { active: number; started: number };
  vitals: ThreadVitals;
}

/** Delay histogram resolution: 10 ms samples cost nothing measurable. */
const LOOP_DELAY_RESOLUTION_MS = 10;

/** Watches one thread's event loop from its creation. */
export class ThreadWatch {
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  private readonly start: EventLoopUtilization = performance.eventLoopUtilization();

  constructor() {
    this.delay.enable();
  }

  /** The vitals now; with `resetDelay` (a metrics scrape) the delay histogram starts again for the next one. */
  read(resetDelay: boolean): ThreadVitals {
    const ns = (v: number): number => (Number.isFinite(v) ? v / 1e9 : 0);
    const loopDelay = { p50: ns(this.delay.percentile(50)), p99: ns(this.delay.percentile(99)), max: ns(this.delay.max) };
    if (resetDelay) this.delay.reset();
    const busy = performance.eventLoopUtilization(this.start);
    return { loopDelay, busySeconds: busy.active / 1000, heapUsedBytes: getHeapStatistics().used_heap_size };
  }

  /** Stops watching (the thread's host closes). */
  close(): void {
    this.delay.disable();
  }
}

/** The pipelines of a registry with their elements, and the totals of its live and released elements. */
export function observeRegistry(registry: ObjectRegistry, watch: ThreadWatch, resetDelay: boolean): HostObservation {
  const totals: TotalsTable = {};
  mergeTotals(totals, registry.retired);
  const pipelines = registry.pipelines().map((pipeline): PipelineView => {
    const elements = [...pipeline.children].filter((c): c is MediaElement => c instanceof MediaElement).map((e) => e.observe());
    for (const e of elements) for (const kind of mediaKinds) addToTotals(totals, e.type, kind, e.kinds[kind]);
    return { id: pipeline.id, ...(pipeline.name !== pipeline.id ? { name: pipeline.name } : {}), elements };
  });
  return { pipelines, totals, transcoders: registry.transcoderCounts, vitals: watch.read(resetDelay) };
}
