/**
 * What the dashboard page draws: per pipeline its elements and typed edges, with each edge's
 * bitrate worked out from the bytes that crossed it since the previous view. Pure: a view and
 * the previous one in, JSON out. Only ids, types, the application's names, codecs and counters:
 * no URIs, paths or addresses.
 */
import type { EdgeView } from '../objects/observation.js';
import type { ServerView } from './ServerView.js';

/** One edge as drawn. */
export interface DashboardEdge {
  /** `source>sink:MEDIATYPE`. */
  id: string;
  source: string;
  sink: string;
  mediaType: EdgeView['mediaType'];
  status: EdgeView['status'];
  codec?: string;
  /** Bits per second over the last interval (0 before there is one). */
  bitrate: number;
  /** Percent lost on the way into the source (its latest receiver report). */
  lossPercent: number;
  flowing: boolean;
}

/** One element as drawn. */
export interface DashboardNode {
  id: string;
  type: string;
  name?: string;
  /** Whether media flows into / out of it now, any kind. */
  flowingIn: boolean;
  flowingOut: boolean;
  /** Packets in and out, every kind. */
  packetsIn: number;
  packetsOut: number;
}

export interface DashboardPipeline {
  id: string;
  name?: string;
  /** The host running it: `main` or `worker N`. */
  host: string;
  nodes: DashboardNode[];
  edges: DashboardEdge[];
}

export interface DashboardView {
  at: number;
  sessions: number;
  pipelines: DashboardPipeline[];
}

/** Bytes seen per edge id at a time, to work out the next view's bitrates. */
export interface EdgeBytes {
  at: number;
  bytes: Map<string, number>;
}

const edgeId = (e: EdgeView): string => `${e.source}>${e.sink}:${e.mediaType}`;

/** The dashboard's view of `view`, with bitrates against `previous`; returns it with the bytes for the next one. */
export function dashboardView(view: ServerView, previous: EdgeBytes | undefined): { view: DashboardView; bytes: EdgeBytes } {
  const bytes = new Map<string, number>();
  const seconds = previous ? (view.at - previous.at) / 1000 : 0;
  const pipelines = view.hosts.flatMap((h) => h.pipelines.map((p): DashboardPipeline => ({
    id: p.id,
    ...(p.name !== undefined ? { name: p.name } : {}),
    host: h.host,
    nodes: p.elements.map((e): DashboardNode => ({
      id: e.id,
      type: e.type,
      ...(e.name !== undefined ? { name: e.name } : {}),
      flowingIn: e.kinds.audio.in.flowing || e.kinds.video.in.flowing,
      flowingOut: e.kinds.audio.out.flowing || e.kinds.video.out.flowing,
      packetsIn: e.kinds.audio.in.packets + e.kinds.video.in.packets,
      packetsOut: e.kinds.audio.out.packets + e.kinds.video.out.packets,
    })),
    edges: p.elements.flatMap((e) => e.inputs).map((e): DashboardEdge => {
      const id = edgeId(e);
      bytes.set(id, e.bytes);
      const before = previous?.bytes.get(id);
      const bitrate = seconds > 0 && before !== undefined && e.bytes >= before ? Math.round(((e.bytes - before) * 8) / seconds) : 0;
      return {
        id, source: e.source, sink: e.sink, mediaType: e.mediaType, status: e.status,
        ...(e.codec !== undefined ? { codec: e.sinkCodec !== undefined && e.sinkCodec !== e.codec ? `${e.codec} → ${e.sinkCodec}` : e.codec } : {}),
        bitrate, lossPercent: Math.round(e.fractionLost * 1000) / 10, flowing: e.flowing,
      };
    }),
  })));
  return { view: { at: view.at, sessions: view.sessions, pipelines }, bytes: { at: view.at, bytes } };
}
