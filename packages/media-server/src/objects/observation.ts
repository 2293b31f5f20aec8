/**
 * What an operator sees of a host's media objects, read at the moment someone looks (a metrics
 * scrape, the dashboard's tick): each element with its flow counters and RTCP counts, each edge
 * with its codec, status and the packets that crossed it. Read from the counters the media path
 * keeps anyway (FlowMonitor, the RTP sessions' statistics, the edges' evaluation): looking adds no
 * work per packet. Plain JSON, so it crosses a worker thread's boundary as it is.
 */
import type { MediaType } from '@kurento-ts/protocol';
import type { EdgeStatus } from '../graph/edges.js';
import type { FlowMonitor } from '../graph/FlowMonitor.js';
import type { InboundStreamStats, OutboundStreamStats } from '../rtp/RtpSession.js';
import type { MediaKind } from '../types/media.js';

/** Packets and payload bytes one way, and whether they flow now (Kurento's MediaFlow state). */
export interface FlowView {
  packets: number;
  bytes: number;
  flowing: boolean;
}

/** RTCP-side counts of one kind: what an element's RTP session counted (zeros for elements without one). */
export interface RtcpCounts {
  /** Packets the peer's stream to us lost on the way (our reception statistics). */
  lost: number;
  /** NACKs we sent for the peer's stream, and NACKs its receiver sent us. */
  nacksSent: number;
  nacksReceived: number;
  /** Keyframe requests: PLIs we sent upstream; PLIs and FIRs the peer sent us. */
  plisSent: number;
  plisReceived: number;
  firsReceived: number;
}

/** An element's RTCP counts of one kind, and the loss its latest receiver reports gave. */
export interface RtcpView extends RtcpCounts {
  /** Fraction (0..1) the latest receiver reports gave: of the stream we receive, of the stream we send. */
  fractionLostIn: number;
  fractionLostOut: number;
}

/** One element's counters of one kind. */
export interface KindView {
  in: FlowView;
  out: FlowView;
  rtcp: RtcpView;
}

/** One connection into an element (the sink's view of its input). */
export interface EdgeView {
  source: string;
  sink: string;
  mediaType: MediaType;
  /** The edge's evaluation (graph/edges.ts); DATA connections forward messages, `data`. */
  status: EdgeStatus | 'data';
  /** The codec the source sends, as a label (`VP8/90000`), and the one it reaches the sink as. */
  codec?: string;
  sinkCodec?: string;
  /** Packets and bytes the sink took of this kind, and whether they flow now. */
  packets: number;
  bytes: number;
  flowing: boolean;
  /** Fraction (0..1) lost on the way into the source (what the edge carries is that damaged). */
  fractionLost: number;
}

/** One element as an operator sees it. */
export interface ElementView {
  id: string;
  type: string;
  /** The application's name for it, when it set one. */
  name?: string;
  kinds: Record<MediaKind, KindView>;
  /** Its connections in, one per media type and description. */
  inputs: EdgeView[];
}

/** One pipeline and its elements. */
export interface PipelineView {
  id: string;
  name?: string;
  elements: ElementView[];
}

/** Sums of one element type's counters of one kind. */
export interface KindTotals extends RtcpCounts {
  packetsIn: number;
  bytesIn: number;
  packetsOut: number;
  bytesOut: number;
}

/** Totals keyed by `type|kind`. */
export type TotalsTable = Record<string, KindTotals>;

/** The stream statistics an element's RTP session reports of one kind. */
export interface StreamStats {
  inbound?: InboundStreamStats;
  outbound?: OutboundStreamStats;
}

const flowView = (f: FlowMonitor['in']['audio']): FlowView => ({ packets: f.packets, bytes: f.bytes, flowing: f.flowing });

/** An element's counters of one kind, from its flow monitor and its RTP session's statistics. */
export function kindView(flow: FlowMonitor, kind: MediaKind, s: StreamStats): KindView {
  const rtcp: RtcpView = {
    lost: Math.max(0, s.inbound?.packetsLost ?? 0),
    nacksSent: s.inbound?.nacksSent ?? 0,
    nacksReceived: s.outbound?.nacksReceived ?? 0,
    plisSent: s.inbound?.pliSent ?? 0,
    plisReceived: s.outbound?.pliCount ?? 0,
    firsReceived: s.outbound?.firCount ?? 0,
    fractionLostIn: s.inbound?.fractionLost ?? 0,
    fractionLostOut: s.outbound?.fractionLost ?? 0,
  };
  return { in: flowView(flow.in[kind]), out: flowView(flow.out[kind]), rtcp };
}

const RTCP_COUNTS = ['lost', 'nacksSent', 'nacksReceived', 'plisSent', 'plisReceived', 'firsReceived'] as const satisfies readonly (keyof RtcpCounts)[];
const zeroTotals = (): KindTotals => ({ packetsIn: 0, bytesIn: 0, packetsOut: 0, bytesOut: 0, lost: 0, nacksSent: 0, nacksReceived: 0, plisSent: 0, plisReceived: 0, firsReceived: 0 });

/** Adds an element's counters of one kind to `table` under its type. */
export function addToTotals(table: TotalsTable, type: string, kind: MediaKind, v: KindView): void {
  const t = (table[`${type}|${kind}`] ??= zeroTotals());
  t.packetsIn += v.in.packets;
  t.bytesIn += v.in.bytes;
  t.packetsOut += v.out.packets;
  t.bytesOut += v.out.bytes;
  for (const field of RTCP_COUNTS) t[field] += v.rtcp[field];
}

/** Adds every row of `from` to `into`. */
export function mergeTotals(into: TotalsTable, from: Readonly<TotalsTable>): void {
  for (const [key, row] of Object.entries(from)) {
    const t = (into[key] ??= zeroTotals());
    for (const field of Object.keys(row) as (keyof KindTotals)[]) t[field] += row[field];
  }
}
