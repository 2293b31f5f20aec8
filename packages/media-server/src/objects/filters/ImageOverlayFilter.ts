/** Kurento's ImageOverlayFilter: images placed on the frame (ratios of it), added and removed by id, live. */
import { KurentoError } from '@kurento-ts/protocol';
import type { ImageOverlayUnit, ImagePlacement, ProcessingUnit } from '../../processing/index.js';
import type { RtpCodec } from '../../types/media.js';
import type { Args, ConstructorArgs, Remote } from '../contract.js';
import type { MediaPipeline } from '../MediaPipeline.js';
import type { ObjectContext } from '../ObjectContext.js';
import { Filter, requestError, requireProcessing } from './Filter.js';
import { loadOverlayImage } from './overlayImage.js';

/** Images one filter may hold (each is a decoded frame-sized layer in the unit). */
const MAX_IMAGES = 16;

export class ImageOverlayFilter extends Filter implements Remote<'ImageOverlayFilter'> {
  /** The images by id, kept to apply to a unit made later (or again). */
  private readonly images = new Map<string, { bytes: Buffer; placement: ImagePlacement }>();

  private constructor(context: ObjectContext, pipeline: MediaPipeline) {
    super(context, 'ImageOverlayFilter', pipeline, 'video');
  }

  static async create(context: ObjectContext, pipeline: MediaPipeline, params: ConstructorArgs<'ImageOverlayFilter'>): Promise<ImageOverlayFilter> {
    void params;
    await requireProcessing(context, 'ImageOverlayFilter');
    if (pipeline.released) throw new KurentoError('MEDIA_OBJECT_NOT_FOUND', 'mediaPipeline not found');
    return new ImageOverlayFilter(context, pipeline);
  }

  async addImage({ id, uri, ...placement }: Args<'ImageOverlayFilter', 'addImage'>): Promise<void> {
    if (!this.images.has(id) && this.images.size >= MAX_IMAGES) throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `At most ${MAX_IMAGES} images per ImageOverlayFilter`);
    const bytes = await loadOverlayImage(this.context, uri);
    try {
      await (this.unit as ImageOverlayUnit | undefined)?.addImage(id, bytes, placement);
    } catch (e) {
      throw requestError(e);
    }
    this.images.set(id, { bytes, placement });
  }

  async removeImage({ id }: Args<'ImageOverlayFilter', 'removeImage'>): Promise<void> {
    if (!this.images.delete(id)) throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `No image with id '${id}'`);
    await (this.unit as ImageOverlayUnit | undefined)?.removeImage(id).catch((e: unknown) => {
      throw requestError(e);
    });
  }

  protected createUnit(input: RtpCodec, output: RtpCodec): Promise<ProcessingUnit> {
    return this.context.processing.createImageOverlay({ input, output });
  }

  protected override async unitReady(unit: ProcessingUnit): Promise<void> {
    for (const [id, image] of this.images) await (unit as ImageOverlayUnit).addImage(id, image.bytes, image.placement);
  }
}
