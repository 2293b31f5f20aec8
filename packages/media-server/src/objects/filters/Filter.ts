/**
 * Kurento's Filter: an element that decodes one kind of media, works on it in a GStreamer unit
 * of the processing backend (processing/: a process of its own per unit, so a crash of its
 * codecs or plugins ends only this element's media) and re-encodes it; the other kind passes
 * through unchanged, as in Kurento (a face overlay's audio goes on to the same sinks).
 *
 * The unit is made once the edge feeding the processed kind knows its codec, and made again if
 * the codec changes; packets before it runs are dropped. Its output codec is the input's when
 * the backend encodes it (no transcoding for the usual loopback), else VP8 or Opus.
 */
import { KurentoError, type ClassName } from '@kurento-ts/protocol';
import type { EdgeInput } from '../../graph/MediaNode.js';
import { canDecode, canEncode, ProcessingError, type ProcessingUnit } from '../../processing/index.js';
import { codecName } from '../../rtp/codecs.js';
import { rtpPayloadLength } from '../../rtp/rtpHeader.js';
import { createLogger } from '../../support/logger.js';
import { mediaTypeOf, type MediaKind, type RtpCodec } from '../../types/media.js';
import type { Remote } from '../contract.js';
import { MediaElement } from '../MediaElement.js';
import type { MediaPipeline } from '../MediaPipeline.js';
import type { ObjectContext } from '../ObjectContext.js';

const log = createLogger('kms:Filter');

/** What the backend decodes, by kind, as a sink's codec names. */
const DECODED: Readonly<Record<MediaKind, readonly string[]>> = { video: ['VP8', 'VP9', 'H264'], audio: ['OPUS'] };
/** What a filter encodes when the input's codec cannot be encoded again. */
const FALLBACK: Readonly<Record<MediaKind, RtpCodec>> = {
  video: { mimeType: 'video/VP8', clockRate: 90000, parameters: {}, payloadType: 96 },
  audio: { mimeType: 'audio/opus', clockRate: 48000, channels: 2, parameters: { minptime: '10', useinbandfec: '1' }, payloadType: 111 },
};

export abstract class Filter extends MediaElement implements Remote<'Filter'> {
  /** The unit processing media now. */
  protected unit: ProcessingUnit | undefined;
  /** The input codec the unit was (or is being) made for. */
  private unitCodec: RtpCodec | undefined;
  /** Which unit request is current (a newer input codec makes older ones moot). */
  private generation = 0;
  /** Removes the listeners of the current unit. */
  private detachUnit: (() => void) | undefined;

  protected constructor(context: ObjectContext, className: ClassName, pipeline: MediaPipeline, protected readonly kind: MediaKind) {
    super(context, className, pipeline, { processes: kind });
    this.node.setAccepts(kind, { names: DECODED[kind] });
  }

  /** Makes this filter's unit for an input codec (the subclass's GStreamer work). */
  protected abstract createUnit(input: RtpCodec, output: RtpCodec): Promise<ProcessingUnit>;

  /** A unit is running: the subclass reapplies what was set before (images, properties). */
  protected unitReady(unit: ProcessingUnit): void | Promise<void> {
    void unit;
  }

  /** Hot path: the processed kind goes into the unit, the other kind on to the sinks unchanged. */
  acceptRtp(kind: MediaKind, packet: Buffer): void {
    const bytes = rtpPayloadLength(packet);
    this.flow.count('in', kind, bytes);
    if (kind === this.kind) {
      if (this.unit?.state === 'running') this.unit.push(packet);
      return;
    }
    if (!this.hasSinks(kind)) return;
    this.flow.count('out', kind, bytes);
    this.forward(kind, packet);
  }

  protected override onInputChanged(kind: MediaKind, input: EdgeInput | undefined): void {
    if (kind !== this.kind) return;
    const codec = input?.status === 'forwarding' ? input.sourceCodec : undefined;
    if (!codec || (this.unitCodec && sameCodec(this.unitCodec, codec))) return;
    void this.startUnit(codec);
  }

  /** A sink of the processed video wants a keyframe: the unit's encoder makes one. */
  override keyframeRequested(): void {
    if (this.kind === 'video' && this.unit) this.unit.requestKeyframe();
    else this.node.requestKeyframe();
  }

  private async startUnit(input: RtpCodec): Promise<void> {
    const generation = ++this.generation;
    this.unitCodec = input;
    this.stopUnit();
    const output = canEncode(input) ? input : FALLBACK[this.kind];
    let unit: ProcessingUnit;
    try {
      if (!canDecode(input)) throw new ProcessingError('unsupported-codec', `${codecName(input)} cannot be decoded`);
      unit = await this.createUnit(input, output);
    } catch (e) {
      if (generation === this.generation) this.processingFailed(e);
      return;
    }
    if (generation !== this.generation || this.released) {
      void unit.close();
      return;
    }
    this.unit = unit;
    const removers = [
      unit.packets.add((packet) => this.emitProcessed(packet)),
      unit.keyframeNeeded.add(() => this.node.requestKeyframe()),
      unit.failed.add((e) => this.processingFailed(e)),
    ];
    this.detachUnit = () => removers.forEach((remove) => remove());
    const pad = this.node.pad(this.kind);
    pad.codecs = [output];
    pad.active = output;
    this.node.sourceChanged(this.kind);
    log.info(`[${this.id}] ${this.className} processing ${mediaTypeOf(this.kind)} ${codecName(input)} → ${codecName(output)} in process ${unit.pid ?? '?'}`);
    try {
      await this.unitReady(unit);
    } catch (e) {
      this.processingFailed(e);
    }
    this.node.requestKeyframe();
  }

  /** Hot path: a processed packet goes to the sinks. */
  private emitProcessed(packet: Buffer): void {
    if (!this.hasSinks(this.kind)) return;
    this.flow.count('out', this.kind, rtpPayloadLength(packet));
    this.forward(this.kind, packet);
  }

  private stopUnit(): void {
    this.detachUnit?.();
    this.detachUnit = undefined;
    const unit = this.unit;
    this.unit = undefined;
    if (unit) void unit.close();
  }

  /** The unit could not be made or died: the element says so; the rest of the server goes on. */
  protected processingFailed(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    log.error(`[${this.id}] processing failed: ${message}`);
    this.stopUnit();
    this.unitCodec = undefined;
    this.raise('Error', { description: `${this.className}: ${message}`, errorCode: 40003, type: 'UNEXPECTED_ERROR' });
  }

  protected override dispose(): void {
    super.dispose();
    this.generation++;
    this.stopUnit();
  }
}

/** Whether two codecs are the same stream format (a unit made for one serves the other). */
const sameCodec = (a: RtpCodec, b: RtpCodec): boolean => a === b || (a.mimeType.toLowerCase() === b.mimeType.toLowerCase() && a.payloadType === b.payloadType && JSON.stringify(a.parameters) === JSON.stringify(b.parameters));

/** A backend error as the Kurento error a request gets (bad commands, properties, images; missing GStreamer). */
export function requestError(error: unknown): KurentoError {
  if (error instanceof KurentoError) return error;
  if (error instanceof ProcessingError) {
    if (error.code === 'unavailable') return new KurentoError('MEDIA_OBJECT_NOT_AVAILABLE', error.message);
    if (error.code === 'crashed' || error.code === 'hung' || error.code === 'internal' || error.code === 'closed') return new KurentoError('UNEXPECTED_ERROR', error.message);
    return new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', error.message);
  }
  return new KurentoError('UNEXPECTED_ERROR', error instanceof Error ? error.message : String(error));
}

/** Checks that GStreamer processing runs here; a clear error naming the Debian packages otherwise. */
export async function requireProcessing(context: ObjectContext, what: string): Promise<void> {
  const availability = await context.processing.availability();
  if (!availability.available) throw new KurentoError('MEDIA_OBJECT_NOT_AVAILABLE', `${what} needs GStreamer: ${availability.advice}`);
}
