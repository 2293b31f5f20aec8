/**
 * Transcoding on edges: where a sink negotiated no codec its source sends, the graph asks this
 * provider for a transcoder of the processing backend (a GStreamer unit in a process of its own).
 * One transcoder per source stream and target codec, shared by every sink that needs it (its
 * output renumbered per sink by the edge's payload map), closed with its last user. Never
 * silent: each one is logged, the sinks raise MediaTranscodingStateChanged TRANSCODING.
 */
import type { TranscodeRoute, TranscoderProvider } from '../graph/edges.js';
import { canDecode, canEncode, kindOfCodec, type ProcessingBackend, type TranscoderUnit } from '../processing/index.js';
import { codecLabel } from '../rtp/codecs.js';
import { createLogger } from '../support/logger.js';
import type { MediaKind, RtpCodec } from '../types/media.js';

const log = createLogger('kms:transcoding');

/** One transcoder and its users. */
class SharedTranscoder implements TranscodeRoute {
  private unit: TranscoderUnit | undefined;
  private outputs: { output: (packet: Buffer) => void; failed: (error: Error) => void }[] = [];
  private users = 0;
  private closed = false;
  /** The failure that ended it, for users that attach afterwards. */
  private failure: Error | undefined;

  constructor(
    backend: ProcessingBackend,
    private readonly from: RtpCodec,
    readonly target: RtpCodec,
    private readonly keyframeFromSource: () => void,
    private readonly onClosed: () => void,
  ) {
    log.info(`transcoding ${codecLabel(from)} → ${codecLabel(target)} (a sink negotiated no codec its source sends)`);
    backend.createTranscoder({ input: from, output: target }).then(
      (unit) => {
        if (this.closed) return void unit.close();
        this.unit = unit;
        unit.packets.add((packet) => {
          const outputs = this.outputs;
          for (let i = 0; i < outputs.length; i++) outputs[i]?.output(packet);
        });
        unit.failed.add((e) => this.fail(e));
        unit.keyframeNeeded.add(() => this.keyframeFromSource());
        this.keyframeFromSource();
      },
      (e: unknown) => this.fail(e instanceof Error ? e : new Error(String(e))),
    );
  }

  /** One more user (a sink's edge). */
  acquired(): this {
    this.users++;
    return this;
  }

  input(packet: Buffer): void {
    if (this.unit?.state === 'running') this.unit.push(packet);
  }

  attach(output: (packet: Buffer) => void, failed: (error: Error) => void): () => void {
    const entry = { output, failed };
    this.outputs = [...this.outputs, entry];
    if (this.failure) failed(this.failure);
    this.unit?.requestKeyframe();
    return () => {
      this.outputs = this.outputs.filter((o) => o !== entry);
    };
  }

  requestKeyframe(): void {
    this.unit?.requestKeyframe();
  }

  release(): void {
    if (--this.users > 0 || this.closed) return;
    this.closed = true;
    void this.unit?.close();
    this.unit = undefined;
    this.onClosed();
  }

  private fail(error: Error): void {
    log.error(`transcoder ${codecLabel(this.from)} → ${codecLabel(this.target)} failed: ${error.message}`);
    this.failure = new Error(`Transcoding ${codecLabel(this.from)} to ${codecLabel(this.target)} failed: ${error.message}`);
    for (const o of this.outputs) o.failed(this.failure);
    void this.unit?.close();
    this.unit = undefined;
  }
}

export class Transcoders implements TranscoderProvider {
  private readonly shared = new Map<string, SharedTranscoder>();
  /** A number for each source node, for the keys of the shared transcoders. */
  private readonly sourceIds = new WeakMap<object, number>();
  private nextSourceId = 1;
  /** Whether GStreamer processing runs here (unknown until the first probe answers). */
  private available: boolean | undefined;

  /** Transcoders made since this provider began. */
  private started = 0;

  constructor(private readonly backend: () => ProcessingBackend) {}

  /** Transcoders running now and made in all (for metrics). */
  get counts(): { active: number; started: number } {
    return { active: this.shared.size, started: this.started };
  }

  candidate(kind: MediaKind, from: RtpCodec, to: readonly RtpCodec[]): RtpCodec | undefined {
    if (this.available === undefined) {
      this.available = true; // assumed while the probe runs; a unit that cannot start reports it
      void this.backend().availability().then((a) => (this.available = a.available), () => (this.available = false));
    }
    if (!this.available || !canDecode(from)) return undefined;
    return to.find((c) => kindOfCodec(c) === kind && canEncode(c));
  }

  acquire(source: object, kind: MediaKind, from: RtpCodec, target: RtpCodec, keyframeFromSource: () => void): TranscodeRoute {
    let id = this.sourceIds.get(source);
    if (id === undefined) this.sourceIds.set(source, (id = this.nextSourceId++));
    const key = `${id}|${kind}|${codecLabel(from)}/${from.payloadType}|${codecLabel(target)}`;
    let transcoder = this.shared.get(key);
    if (!transcoder) {
      transcoder = new SharedTranscoder(this.backend(), from, target, keyframeFromSource, () => this.shared.delete(key));
      this.shared.set(key, transcoder);
      this.started++;
    }
    return transcoder.acquired();
  }
}
