/**
 * One element's place in the media graph: its connections (Kurento's rules: a sink takes one
 * source per media type and description; a new connection replaces the old one), loop checks,
 * the typed edge of each input (graph/edges.ts) re-evaluated whenever either side changes, the
 * per-kind list of sinks the packet path walks, the list of DATA sinks data-channel messages go
 * to (DATA has no codecs: a DATA connection forwards from the moment it is made), and keyframe
 * requests routed upstream. The
 * element that owns the node keeps the Kurento API; the node knows nothing of the protocol's
 * objects or events: it reports to its owner.
 */
import { KurentoError, type MediaType } from '@kurento-ts/protocol';
import type { DataMessage } from '../types/data.js';
import { kindOf, mediaKinds, type MediaKind } from '../types/media.js';
import { LaneScope, type LaneSink } from '../rtp/lanes.js';
import { evaluateEdge, sameEdgeState, SourcePad, type EdgeState, type SinkCaps, type TranscodeRoute, type TranscoderProvider } from './edges.js';

/** What a node needs from the element that owns it. */
export interface NodeOwner {
  readonly id: string;
  /**
   * Whether media entering this element leaves it toward its own sinks inside the graph
   * (PassThrough, hub ports): such elements cannot form a loop. An endpoint that sends to the
   * network is not one, so it may be connected to itself.
   */
  readonly forwardsInternally: boolean;
  /**
   * Whether this element's output of `kind` is its input of `kind` unchanged (PassThrough; a
   * filter for the kind it does not process): it then takes any codec and produces its input's.
   */
  passesThrough(kind: MediaKind): boolean;
  /** Hot path: a plain RTP packet from the source of `kind` (valid only during the call). */
  acceptRtp(kind: MediaKind, packet: Buffer): void;
  /** A data-channel message from the source of this node's DATA (valid only during the call). */
  acceptData(message: DataMessage): void;
  /** A fault while handling media; the source's other sinks go on. */
  mediaFault(error: unknown): void;
  /** The edge feeding `kind` changed (new source, codec, negotiation), or is gone (undefined). */
  inputChanged(kind: MediaKind, input: EdgeInput | undefined, previous: EdgeInput | undefined): void;
  /** A sink of this element asks for a keyframe. */
  keyframeRequested(): void;
  /**
   * How a forwarding lane hands this element packets of `kind` (source SSRC and payload type):
   * only an element that sends them out as they are, on a native socket, has one.
   */
  laneSink?(kind: MediaKind, ssrc: number, pt: number): LaneSink | undefined;
  /** The source feeding this element reached the end of its media (a player's file). */
  inputEnded(): void;
}

/** One directed link of one media type between two nodes (Kurento's ElementConnectionData). */
export interface Connection<O extends NodeOwner> {
  readonly source: MediaNode<O>;
  readonly sink: MediaNode<O>;
  readonly type: MediaType;
  readonly sourceDescription: string;
  readonly sinkDescription: string;
}

/** What a sink knows of the edge feeding one kind. */
export interface EdgeInput extends EdgeState {
  /** The transcoder the edge goes through, when its status is `transcoding`. */
  readonly transcoder?: TranscodeRoute;
  /** The source's pad, read live (its clock follows the sender reports). */
  readonly pad: SourcePad;
  /** The element the media comes from. */
  readonly sourceId: string;
}

const ALL_TYPES: readonly MediaType[] = ['AUDIO', 'VIDEO', 'DATA'];

/** Whether a connection matches an optional media type and description filter. */
function matches<O extends NodeOwner>(c: Connection<O>, type: MediaType | undefined, description: string | undefined, side: 'source' | 'sink'): boolean {
  if (type !== undefined && c.type !== type) return false;
  return description === undefined || (side === 'source' ? c.sourceDescription : c.sinkDescription) === description;
}

/** A shared transcoder's output numbered as this sink numbers the codec (its payload type → the sink's). */
function outputMap(transcoder: TranscodeRoute, state: EdgeState): Int16Array {
  const map = new Int16Array(128).fill(-1);
  map[transcoder.target.payloadType & 0x7f] = state.sinkCodec?.payloadType ?? transcoder.target.payloadType;
  return map;
}

export class MediaNode<O extends NodeOwner> {
  /** Connections from this node to sinks. */
  private readonly sinkConnections: Connection<O>[] = [];
  /** Connections from sources into this node. */
  private readonly sourceConnections: Connection<O>[] = [];
  /** Sinks whose edge forwards, per kind: the packet path walks these arrays. */
  private readonly routes: Record<MediaKind, O[]> = { audio: [], video: [] };
  /** Transcoders this node's stream of each kind goes into (each shared by its sinks). */
  private readonly transcodeRoutes: Record<MediaKind, TranscodeRoute[]> = { audio: [], video: [] };
  /** Removes this sink from the output of the transcoder feeding each kind. */
  private readonly transcodeDetach: Partial<Record<MediaKind, () => void>> = {};
  /** Sinks of this node's DATA, each once: data-channel messages go to these. */
  private dataRoutes: O[] = [];
  /** The pads this node's owner fills. */
  private readonly ownPads: Record<MediaKind, SourcePad> = { audio: new SourcePad('audio'), video: new SourcePad('video') };
  /** What this node produces per kind: its own pads, or for forwarding owners the pad of their input. */
  private readonly pads: Record<MediaKind, SourcePad> = { ...this.ownPads };
  /** What this node takes per kind, once known. */
  private readonly accepts: Partial<Record<MediaKind, SinkCaps>> = {};
  /** The evaluated edge feeding each kind. */
  private readonly inputs: Partial<Record<MediaKind, EdgeInput>> = {};

  constructor(
    readonly owner: O,
    /** Where transcoders come from, when the server has a processing backend. */
    private readonly transcoders?: TranscoderProvider,
    /** The forwarding lanes a change of this node's edges stops (its pipeline's). */
    private readonly lanes: LaneScope = LaneScope.thread,
  ) {
    for (const kind of mediaKinds) if (owner.passesThrough(kind)) this.accepts[kind] = 'any';
  }

  // ---- connections ----

  /**
   * Connects this node to `sink` for one media type, or all three. Refuses a loop of
   * internally forwarding elements before changing anything. Returns the connections made
   * (existing identical ones are not made again) and those they replaced.
   */
  connect(sink: MediaNode<O>, type: MediaType | undefined, sourceDescription: string, sinkDescription: string): { made: Connection<O>[]; replaced: Connection<O>[] } {
    const types = type === undefined ? ALL_TYPES : [type];
    for (const t of types) {
      if (this.wouldLoop(sink, t)) throw new KurentoError('CONNECT_ERROR', `Connecting ${this.owner.id} to ${sink.owner.id} for ${t} would close a loop of elements that forward media to each other`);
    }
    const made: Connection<O>[] = [];
    const replaced: Connection<O>[] = [];
    for (const t of types) {
      if (this.sinkConnections.some((c) => c.sink === sink && c.type === t && c.sourceDescription === sourceDescription && c.sinkDescription === sinkDescription)) continue;
      const previous = sink.sourceConnections.find((c) => c.type === t && c.sinkDescription === sinkDescription);
      if (previous) {
        previous.source.unlink(previous);
        replaced.push(previous);
      }
      const connection: Connection<O> = { source: this, sink, type: t, sourceDescription, sinkDescription };
      this.sinkConnections.push(connection);
      sink.sourceConnections.push(connection);
      made.push(connection);
      const kind = kindOf(t);
      if (kind) sink.evaluateInput(kind);
      else this.rebuildDataRoutes();
    }
    return { made, replaced };
  }

  /** Removes connections to `sink` (of one type, or all, optionally by descriptions); returns them. */
  disconnect(sink: MediaNode<O>, type?: MediaType, sourceDescription?: string, sinkDescription?: string): Connection<O>[] {
    const gone = this.sinkConnections.filter((c) => c.sink === sink && matches(c, type, sourceDescription, 'source') && matches(c, undefined, sinkDescription, 'sink'));
    for (const c of gone) this.unlink(c);
    return gone;
  }

  /** Removes every connection in and out (the element is released); returns them. */
  detachAll(): Connection<O>[] {
    const all = [...this.sourceConnections, ...this.sinkConnections];
    for (const c of all) c.source.unlink(c);
    return all;
  }

  /** Connections leaving this node, optionally filtered. */
  sinks(type?: MediaType, description?: string): Connection<O>[] {
    return this.sinkConnections.filter((c) => matches(c, type, description, 'source'));
  }

  /** Connections entering this node, optionally filtered. */
  sources(type?: MediaType, description?: string): Connection<O>[] {
    return this.sourceConnections.filter((c) => matches(c, type, description, 'sink'));
  }

  private unlink(c: Connection<O>): void {
    const i = this.sinkConnections.indexOf(c);
    if (i < 0) return;
    this.sinkConnections.splice(i, 1);
    c.sink.sourceConnections.splice(c.sink.sourceConnections.indexOf(c), 1);
    const kind = kindOf(c.type);
    if (!kind) return this.rebuildDataRoutes();
    c.sink.evaluateInput(kind);
    this.rebuildRoutes(kind);
  }

  /**
   * Whether a `type` connection from this node to `sink` would close a cycle made only of
   * internally forwarding elements: media would go round it forever.
   */
  private wouldLoop(sink: MediaNode<O>, type: MediaType): boolean {
    if (!this.owner.forwardsInternally || !sink.owner.forwardsInternally) return false;
    const seen = new Set<MediaNode<O>>();
    const stack: MediaNode<O>[] = [sink];
    for (let node = stack.pop(); node; node = stack.pop()) {
      if (node === this) return true;
      if (seen.has(node)) continue;
      seen.add(node);
      for (const c of node.sinkConnections) if (c.type === type && c.sink.owner.forwardsInternally) stack.push(c.sink);
    }
    return false;
  }

  // ---- typed edges ----

  /** The source pad this node's owner fills for `kind`, then calls `sourceChanged`. */
  pad(kind: MediaKind): SourcePad {
    return this.ownPads[kind];
  }

  /** The owner's pad of `kind` changed (negotiation, a new codec or SSRC): re-evaluate the edges out. */
  sourceChanged(kind: MediaKind): void {
    this.lanes.invalidate();
    for (const c of this.sinkConnections) if (kindOf(c.type) === kind) c.sink.evaluateInput(kind);
  }

  /** What this node takes for `kind` changed (its peer negotiated): re-evaluate its input. */
  setAccepts(kind: MediaKind, caps: SinkCaps | undefined): void {
    if (caps === undefined) delete this.accepts[kind];
    else this.accepts[kind] = caps;
    this.evaluateInput(kind);
  }

  /** What this node takes for `kind`, once known. */
  acceptsOf(kind: MediaKind): SinkCaps | undefined {
    return this.accepts[kind];
  }

  /** The evaluated edge feeding `kind`, if connected. */
  input(kind: MediaKind): EdgeInput | undefined {
    return this.inputs[kind];
  }

  /** The node feeding `kind` into this one, if connected. */
  private sourceOf(kind: MediaKind): MediaNode<O> | undefined {
    return this.sourceConnections.find((s) => kindOf(s.type) === kind)?.source;
  }

  /** Re-evaluates the edge feeding `kind`; when it changed, the source's routes and the owner follow. */
  private evaluateInput(kind: MediaKind): void {
    const source = this.sourceOf(kind);
    const previous = this.inputs[kind];
    const previousDetach = this.transcodeDetach[kind];
    let next: EdgeInput | undefined;
    if (source) {
      const pad = source.pads[kind];
      const state = evaluateEdge(kind, pad, this.accepts[kind], this.transcoders);
      if (previous && previous.sourceId === source.owner.id && previous.pad === pad && sameEdgeState(previous, state)) return;
      delete this.transcodeDetach[kind];
      const transcoder = this.transcoderFor(kind, source, state);
      next = { ...state, pad, sourceId: source.owner.id, transcoder, payloadMap: transcoder ? outputMap(transcoder, state) : state.payloadMap };
      this.inputs[kind] = next;
      this.leaveTranscoder(kind, previous, previousDetach);
      source.rebuildRoutes(kind);
    } else {
      if (!previous) return;
      delete this.inputs[kind];
      delete this.transcodeDetach[kind];
      this.leaveTranscoder(kind, previous, previousDetach);
    }
    this.owner.inputChanged(kind, next, previous);
    // An element that passes what it receives on produces what its input carries.
    if (this.owner.passesThrough(kind)) this.forwardPad(kind, next);
  }

  /** A transcoding edge: the shared transcoder of the source's stream to this sink's codec, with this sink on its output. */
  private transcoderFor(kind: MediaKind, source: MediaNode<O>, state: EdgeState): TranscodeRoute | undefined {
    if (state.status !== 'transcoding' || !this.transcoders || !state.sourceCodec || !state.sinkCodec) return undefined;
    const route = this.transcoders.acquire(source, kind, state.sourceCodec, state.sinkCodec, () => source.owner.keyframeRequested());
    this.transcodeDetach[kind] = route.attach(
      (packet) => {
        try {
          this.owner.acceptRtp(kind, packet);
        } catch (e) {
          this.owner.mediaFault(e);
        }
      },
      (error) => this.owner.mediaFault(error),
    );
    return route;
  }

  /** Leaves the transcoder an earlier input went through, and tells its source to stop feeding it if no one else uses it. */
  private leaveTranscoder(kind: MediaKind, previous: EdgeInput | undefined, detach: (() => void) | undefined): void {
    if (!previous?.transcoder) return;
    detach?.();
    previous.transcoder.release();
    const source = this.sourceConnections.find((c) => c.source.owner.id === previous.sourceId)?.source;
    source?.rebuildRoutes(kind);
  }

  private forwardPad(kind: MediaKind, input: EdgeInput | undefined): void {
    this.pads[kind] = input && input.status === 'forwarding' ? input.pad : this.ownPads[kind];
    this.sourceChanged(kind);
  }

  /** Rebuilds the list of sinks this node forwards `kind` to. */
  private rebuildRoutes(kind: MediaKind): void {
    this.lanes.invalidate();
    const routes: O[] = [];
    const transcoders: TranscodeRoute[] = [];
    for (const c of this.sinkConnections) {
      if (kindOf(c.type) !== kind || c.sink.sourceOf(kind) !== this) continue;
      const input = c.sink.inputs[kind];
      if (input?.status === 'forwarding' && !routes.includes(c.sink.owner)) routes.push(c.sink.owner);
      if (input?.transcoder && !transcoders.includes(input.transcoder)) transcoders.push(input.transcoder);
    }
    this.routes[kind] = routes;
    this.transcodeRoutes[kind] = transcoders;
  }

  // ---- the packet path ----

  /**
   * Hot path: hands a plain RTP packet this element produced to every sink whose edge forwards
   * `kind`. Sinks only read it (each writes its own outgoing header), so they share the buffer;
   * it is valid only during the call. A sink that throws is told; the others still get it.
   */
  forward(kind: MediaKind, packet: Buffer): void {
    const sinks = this.routes[kind];
    for (let i = 0; i < sinks.length; i++) {
      const sink = sinks[i];
      if (sink === undefined) continue;
      try {
        sink.acceptRtp(kind, packet);
      } catch (e) {
        sink.mediaFault(e);
      }
    }
    const transcoders = this.transcodeRoutes[kind];
    for (let i = 0; i < transcoders.length; i++) transcoders[i]?.input(packet);
  }

  /** The sinks of `kind` a forwarding lane may serve: all of them, when none is fed through a transcoder. */
  laneOwners(kind: MediaKind): readonly O[] | undefined {
    return this.transcodeRoutes[kind].length > 0 ? undefined : this.routes[kind];
  }

  /** Whether any sink takes `kind` now (directly or through a transcoder). */
  hasRoutes(kind: MediaKind): boolean {
    return this.routes[kind].length > 0 || this.transcodeRoutes[kind].length > 0;
  }

  /** Tells every sink that this node's media ended (a player reached the end of its file). */
  endOfStream(): void {
    const told = new Set<O>();
    for (const c of this.sinkConnections) {
      if (c.type === 'DATA' || told.has(c.sink.owner)) continue;
      told.add(c.sink.owner);
      c.sink.owner.inputEnded();
    }
  }

  /**
   * Hands a data-channel message this element produced to every DATA sink. Sinks only read it;
   * a sink that throws is told, and the others still get it.
   */
  forwardData(message: DataMessage): void {
    const sinks = this.dataRoutes;
    for (let i = 0; i < sinks.length; i++) {
      const sink = sinks[i];
      if (sink === undefined) continue;
      try {
        sink.acceptData(message);
      } catch (e) {
        sink.mediaFault(e);
      }
    }
  }

  /** Whether any sink takes this node's DATA now. */
  hasDataRoutes(): boolean {
    return this.dataRoutes.length > 0;
  }

  /** Rebuilds the list of DATA sinks (a sink connected under several descriptions is listed once). */
  private rebuildDataRoutes(): void {
    const routes: O[] = [];
    for (const c of this.sinkConnections) if (c.type === 'DATA' && !routes.includes(c.sink.owner)) routes.push(c.sink.owner);
    this.dataRoutes = routes;
  }

  /** Asks the source of this node's video for a keyframe. */
  requestKeyframe(): void {
    const transcoder = this.inputs.video?.transcoder;
    if (transcoder) return transcoder.requestKeyframe();
    for (const c of this.sourceConnections) if (c.type === 'VIDEO') c.source.owner.keyframeRequested();
  }
}
