/**
 * Kurento's FaceOverlayFilter: draws an image over every face it detects (OpenCV's Haar
 * cascade in the unit), offsets and sizes as ratios of each face's box: Kurento's magic mirror.
 * The image comes from a URI inside the media roots or an allowed http(s) URL; the unit's
 * process opens no file or connection itself.
 */
import { KurentoError } from '@kurento-ts/protocol';
import type { FaceOverlayUnit, FacePlacement, ProcessingUnit } from '../../processing/index.js';
import type { RtpCodec } from '../../types/media.js';
import type { Args, ConstructorArgs, Remote } from '../contract.js';
import type { MediaPipeline } from '../MediaPipeline.js';
import type { ObjectContext } from '../ObjectContext.js';
import { Filter, requestError, requireProcessing } from './Filter.js';
import { loadOverlayImage } from './overlayImage.js';

export class FaceOverlayFilter extends Filter implements Remote<'FaceOverlayFilter'> {
  /** The image and where it goes, kept to apply to a unit made later (or again). */
  private image: { bytes: Buffer; placement: FacePlacement } | undefined;

  private constructor(context: ObjectContext, pipeline: MediaPipeline) {
    super(context, 'FaceOverlayFilter', pipeline, 'video');
  }

  static async create(context: ObjectContext, pipeline: MediaPipeline, params: ConstructorArgs<'FaceOverlayFilter'>): Promise<FaceOverlayFilter> {
    void params;
    await requireProcessing(context, 'FaceOverlayFilter');
    if (pipeline.released) throw new KurentoError('MEDIA_OBJECT_NOT_FOUND', 'mediaPipeline not found');
    return new FaceOverlayFilter(context, pipeline);
  }

  async setOverlayedImage({ uri, offsetXPercent, offsetYPercent, widthPercent, heightPercent }: Args<'FaceOverlayFilter', 'setOverlayedImage'>): Promise<void> {
    const bytes = await loadOverlayImage(this.context, uri);
    const placement = { offsetXPercent, offsetYPercent, widthPercent, heightPercent };
    const unit = this.unit as FaceOverlayUnit | undefined;
    try {
      await unit?.setImage(bytes, placement);
    } catch (e) {
      throw requestError(e);
    }
    this.image = { bytes, placement };
  }

  async unsetOverlayedImage(): Promise<void> {
    this.image = undefined;
    await (this.unit as FaceOverlayUnit | undefined)?.unsetImage().catch((e: unknown) => {
      throw requestError(e);
    });
  }

  protected createUnit(input: RtpCodec, output: RtpCodec): Promise<ProcessingUnit> {
    return this.context.processing.createFaceOverlay({ input, output });
  }

  protected override async unitReady(unit: ProcessingUnit): Promise<void> {
    if (this.image) await (unit as FaceOverlayUnit).setImage(this.image.bytes, this.image.placement);
  }
}
