/**
 * The Prometheus metrics (prom-client): each scrape gathers one ServerView and sets every metric
 * from it, so counting costs the media path nothing. Counters are the sums of counters the media
 * path keeps (live elements plus those released on the same host); a media worker that dies takes
 * its share with it, which Prometheus reads as a counter reset. docs/metrics.md lists them all.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics, type LabelValues } from 'prom-client';
import type { KindTotals } from '../objects/observation.js';
import type { ServerView } from './ServerView.js';

const PREFIX = 'kurento_';

type Labels<N extends string> = LabelValues<N>;

/** A counter whose value is set from a sum read at scrape time (prom-client counters only go up between resets). */
class SummedCounter<N extends string> {
  private readonly counter: Counter<N>;

  constructor(registry: Registry, name: string, help: string, labelNames: readonly N[]) {
    this.counter = new Counter({ name: PREFIX + name, help, labelNames, registers: [registry] });
  }

  set(rows: readonly (readonly [Labels<N>, number])[]): void {
    this.counter.reset();
    for (const [labels, value] of rows) this.counter.inc(labels, value);
  }
}

/** A gauge set at every scrape; label sets seen before and gone now read 0 (no pipelines of a type left: 0, not nothing). */
class ViewGauge<N extends string> {
  private readonly gauge: Gauge<N>;
  private readonly seen = new Map<string, Labels<N>>();

  constructor(registry: Registry, name: string, help: string, labelNames: readonly N[] = []) {
    this.gauge = new Gauge({ name: PREFIX + name, help, labelNames, registers: [registry] });
  }

  set(rows: readonly (readonly [Labels<N>, number])[]): void {
    for (const labels of this.seen.values()) this.gauge.set(labels, 0);
    for (const [labels, value] of rows) {
      this.seen.set(JSON.stringify(labels), labels);
      this.gauge.set(labels, value);
    }
  }
}

/** Sums a field of the view's totals per label set derived from each `type|kind` row. */
function sums<N extends string>(view: ServerView, labels: (type: string, kind: string) => Labels<N> | undefined, value: (t: KindTotals) => number): [Labels<N>, number][] {
  const out = new Map<string, [Labels<N>, number]>();
  for (const host of view.hosts) {
    for (const [key, row] of Object.entries(host.totals)) {
      const [type = '', kind = ''] = key.split('|');
      const l = labels(type, kind);
      if (!l) continue;
      const id = JSON.stringify(l);
      const entry = out.get(id) ?? [l, 0];
      entry[1] += value(row);
      out.set(id, entry);
    }
  }
  return [...out.values()];
}

/** Counts of things per label value. */
function tally<N extends string>(items: Iterable<Labels<N>>): [Labels<N>, number][] {
  const out = new Map<string, [Labels<N>, number]>();
  for (const l of items) {
    const id = JSON.stringify(l);
    const entry = out.get(id) ?? [l, 0];
    entry[1]++;
    out.set(id, entry);
  }
  return [...out.values()];
}

/** Every metric, and how a view sets it. */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly updates: ((view: ServerView) => void)[] = [];

  constructor() {
    // Process-wide: CPU seconds, resident memory (RSS), heap, the main thread's event-loop lag...
    collectDefaultMetrics({ register: this.registry });
    this.objectMetrics();
    this.mediaMetrics();
    this.hostMetrics();
    this.budgetMetrics();
  }

  /** The exposition text for a view. */
  async render(view: ServerView): Promise<string> {
    for (const update of this.updates) update(view);
    return this.registry.metrics();
  }

  /** The exposition format's content type. */
  get contentType(): string {
    return this.registry.contentType;
  }

  private gauge<N extends string>(name: string, help: string, labelNames: readonly N[], rows: (view: ServerView) => (readonly [Labels<N>, number])[]): void {
    const g = new ViewGauge<N>(this.registry, name, help, labelNames);
    this.updates.push((view) => g.set(rows(view)));
  }

  private counter<N extends string>(name: string, help: string, labelNames: readonly N[], rows: (view: ServerView) => (readonly [Labels<N>, number])[]): void {
    const c = new SummedCounter<N>(this.registry, name, help, labelNames);
    this.updates.push((view) => c.set(rows(view)));
  }

  private objectMetrics(): void {
    const none: Labels<never> = {};
    this.gauge('sessions', 'Kurento sessions, connected or in their grace period', [], (v) => [[none, v.sessions]]);
    this.gauge('websockets', 'Open control-port WebSockets', [], (v) => [[none, v.connections]]);
    this.gauge('pipelines', 'Live media pipelines', [], (v) => [[none, v.hosts.reduce((n, h) => n + h.pipelines.length, 0)]]);
    this.gauge('elements', 'Live media elements by type', ['type'], (v) => tally(v.hosts.flatMap((h) => h.pipelines.flatMap((p) => p.elements.map((e) => ({ type: e.type }))))));
    const edges = (v: ServerView) => v.hosts.flatMap((h) => h.pipelines.flatMap((p) => p.elements.flatMap((e) => e.inputs)));
    this.gauge('edges', 'Connections between elements by media type and status (pending, forwarding, transcoding, unsupported, data)', ['media_type', 'status'], (v) => tally(edges(v).map((e) => ({ media_type: e.mediaType, status: e.status }))));
    this.gauge('edges_flowing', 'Audio and video connections media flows on now', ['media_type'], (v) => tally(edges(v).filter((e) => e.flowing).map((e) => ({ media_type: e.mediaType }))));
    this.gauge('transcoders', 'Transcoders running on edges', [], (v) => [[none, v.hosts.reduce((n, h) => n + h.transcoders.active, 0)]]);
    this.counter('transcoders_started_total', 'Transcoders started on edges', [], (v) => [[none, v.hosts.reduce((n, h) => n + h.transcoders.started, 0)]]);
  }

  private mediaMetrics(): void {
    const byType = (type: string, kind: string) => ({ type, kind });
    for (const [unit, field] of [['packets', 'packets'], ['bytes', 'bytes']] as const) {
      const what = unit === 'packets' ? 'RTP packets' : 'RTP payload bytes';
      this.counter(`rtp_${unit}_total`, `${what} into elements (in: from their peer or source) and out of them (out: to their peer or sinks), by element type and kind`, ['direction', 'type', 'kind'], (v) => [
        ...sums(v, (type, kind) => ({ direction: 'in', ...byType(type, kind) }), (t) => (field === 'packets' ? t.packetsIn : t.bytesIn)),
        ...sums(v, (type, kind) => ({ direction: 'out', ...byType(type, kind) }), (t) => (field === 'packets' ? t.packetsOut : t.bytesOut)),
      ]);
    }
    this.counter('rtp_packets_lost_total', 'Packets the streams we receive lost on their way to us (our reception statistics)', ['kind'], (v) => sums(v, (_t, kind) => ({ kind }), (t) => t.lost));
    this.counter('rtcp_nacks_total', 'NACKs: sent for streams we receive, received for streams we send', ['direction', 'kind'], (v) => [
      ...sums(v, (_t, kind) => ({ direction: 'sent', kind }), (t) => t.nacksSent),
      ...sums(v, (_t, kind) => ({ direction: 'received', kind }), (t) => t.nacksReceived),
    ]);
    this.counter('rtcp_keyframe_requests_total', 'Keyframe requests: PLIs we sent upstream, PLIs and FIRs peers sent us', ['direction', 'request'], (v) => [
      ...sums(v, () => ({ direction: 'sent', request: 'PLI' }), (t) => t.plisSent),
      ...sums(v, () => ({ direction: 'received', request: 'PLI' }), (t) => t.plisReceived),
      ...sums(v, () => ({ direction: 'received', request: 'FIR' }), (t) => t.firsReceived),
    ]);
  }

  private hostMetrics(): void {
    this.gauge('host_objects', 'Live media objects per host (main counts the ServerManager)', ['host'], (v) => v.hosts.map((h) => [{ host: h.host }, h.objects]));
    this.gauge('host_udp_sockets', 'Media UDP sockets open per host', ['host'], (v) => v.hosts.map((h) => [{ host: h.host }, h.udpSockets]));
    this.counter('host_busy_seconds_total', "Seconds each host thread's event loop was busy (its CPU time, near enough: rate() is the share of one core)", ['host'], (v) => v.hosts.map((h) => [{ host: h.host }, h.vitals.busySeconds]));
    this.gauge('host_event_loop_delay_seconds', 'Event-loop delay of each host thread since the previous scrape', ['host', 'quantile'], (v) => v.hosts.flatMap((h) => [
      [{ host: h.host, quantile: '0.5' }, h.vitals.loopDelay.p50],
      [{ host: h.host, quantile: '0.99' }, h.vitals.loopDelay.p99],
      [{ host: h.host, quantile: '1' }, h.vitals.loopDelay.max],
    ] as const));
    this.gauge('host_heap_used_bytes', 'JavaScript heap in use per host thread', ['host'], (v) => v.hosts.map((h) => [{ host: h.host }, h.vitals.heapUsedBytes]));
  }

  private budgetMetrics(): void {
    this.gauge('budget_used', 'Use of each server budget now (per-client budgets: the busiest client)', ['budget'], (v) => v.budgets.map((b) => [{ budget: b.budget }, b.used]));
    this.gauge('budget_limit', 'Each server budget (0: no limit)', ['budget'], (v) => v.budgets.map((b) => [{ budget: b.budget }, b.limit]));
  }
}
