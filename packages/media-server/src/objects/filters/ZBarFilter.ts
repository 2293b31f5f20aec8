/**
 * Kurento's ZBarFilter: scans the video for bar codes and QR codes (GStreamer's `zbar` in a unit)
 * and raises CodeFound, only when the symbol changes or a second after the last report
 * (Kurento's rule, applied by the unit). The video itself passes through unchanged: the unit
 * gets a copy, nothing is re-encoded.
 */
import { KurentoError } from '@kurento-ts/protocol';
import type { EdgeInput } from '../../graph/MediaNode.js';
import type { BarcodeUnit } from '../../processing/index.js';
import { rtpPayloadLength } from '../../rtp/rtpHeader.js';
import { createLogger } from '../../support/logger.js';
import type { MediaKind, RtpCodec } from '../../types/media.js';
import type { ConstructorArgs, Remote } from '../contract.js';
import { MediaElement } from '../MediaElement.js';
import type { MediaPipeline } from '../MediaPipeline.js';
import type { ObjectContext } from '../ObjectContext.js';
import { requireProcessing } from './Filter.js';

const log = createLogger('kms:ZBarFilter');

export class ZBarFilter extends MediaElement implements Remote<'Filter'>, Remote<'ZBarFilter'> {
  private unit: BarcodeUnit | undefined;
  private unitCodec: RtpCodec | undefined;
  private generation = 0;

  private constructor(context: ObjectContext, pipeline: MediaPipeline) {
    super(context, 'ZBarFilter', pipeline, 'forwards');
  }

  static async create(context: ObjectContext, pipeline: MediaPipeline, params: ConstructorArgs<'ZBarFilter'>): Promise<ZBarFilter> {
    void params;
    await requireProcessing(context, 'ZBarFilter');
    if (pipeline.released) throw new KurentoError('MEDIA_OBJECT_NOT_FOUND', 'mediaPipeline not found');
    return new ZBarFilter(context, pipeline);
  }

  /** Hot path: media passes on; video is also scanned. */
  acceptRtp(kind: MediaKind, packet: Buffer): void {
    const bytes = rtpPayloadLength(packet);
    this.flow.count('in', kind, bytes);
    if (kind === 'video' && this.unit?.state === 'running') this.unit.push(packet);
    if (!this.hasSinks(kind)) return;
    this.flow.count('out', kind, bytes);
    this.forward(kind, packet);
  }

  protected override onInputChanged(kind: MediaKind, input: EdgeInput | undefined): void {
    const codec = kind === 'video' && input?.status === 'forwarding' ? input.sourceCodec : undefined;
    if (!codec || codec === this.unitCodec) return;
    this.unitCodec = codec;
    void this.startUnit(codec);
  }

  private async startUnit(input: RtpCodec): Promise<void> {
    const generation = ++this.generation;
    void this.unit?.close();
    this.unit = undefined;
    try {
      const unit = await this.context.processing.createBarcodeScanner({ input });
      if (generation !== this.generation || this.released) return void unit.close();
      this.unit = unit;
      unit.codes.add((code) => this.raise('CodeFound', { codeType: code.codeType, value: code.value }));
      unit.keyframeNeeded.add(() => this.node.requestKeyframe());
      unit.failed.add((e) => this.failed(e));
      this.node.requestKeyframe();
    } catch (e) {
      if (generation === this.generation) this.failed(e);
    }
  }

  private failed(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    log.error(`[${this.id}] scanning failed: ${message}`);
    void this.unit?.close();
    this.unit = undefined;
    this.unitCodec = undefined;
    this.raise('Error', { description: `ZBarFilter: ${message}`, errorCode: 40003, type: 'UNEXPECTED_ERROR' });
  }

  protected override dispose(): void {
    super.dispose();
    this.generation++;
    void this.unit?.close();
    this.unit = undefined;
  }
}
