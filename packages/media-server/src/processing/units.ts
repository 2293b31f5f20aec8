/**
 * The kinds of unit, each a ProcessingUnit with the live operations of the Kurento element it
 * serves. Every change is a request to the running process, applied between two frames: no
 * renegotiation, no restart.
 */
import type { HelperEvent } from './ControlChannel.js';
import { BarcodeReporter } from './BarcodeReporter.js';
import { ProcessingError } from './errors.js';
import { checkPropertyName, MAX_COMMAND_LENGTH } from './filterCommand.js';
import { ProcessingUnit } from './ProcessingUnit.js';
import { Signal } from './Signal.js';

/** A GStreamerFilter's unit: decode, the command's element, encode. */
export class FilterUnit extends ProcessingUnit {
  /** Sets a property of the running element from its string form, as gst-launch would (Kurento's setElementProperty). */
  async setProperty(name: string, value: string): Promise<void> {
    checkPropertyName(name);
    if (typeof value !== 'string' || value.length > MAX_COMMAND_LENGTH) throw new ProcessingError('invalid-value', 'a property value must be a string of at most 4096 characters');
    await this.request('set-property', { name, value });
  }

  /** A property's current value (strings, numbers and booleans as such; enums and others as text). */
  async getProperty(name: string): Promise<string | number | boolean | null> {
    checkPropertyName(name);
    const reply = await this.request('get-property', { name });
    const value = reply['value'];
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : null;
  }
}

/** A transcoder: one source codec to one target codec. Its packets go to every sink that needs them. */
export class TranscoderUnit extends ProcessingUnit {}

/** Where an image goes relative to each detected face (FaceOverlayFilter: ratios of the face's box). */
export interface FacePlacement {
  readonly offsetXPercent: number;
  readonly offsetYPercent: number;
  readonly widthPercent: number;
  readonly heightPercent: number;
}

/** FaceOverlayFilter's unit. */
export class FaceOverlayUnit extends ProcessingUnit {
  /** Faces in the latest detection, when the count changes. */
  readonly faces = new Signal<number>();

  /** Draws `image` (PNG, JPEG... bytes) over every face; replaces the previous image. */
  async setImage(image: Buffer, placement: FacePlacement): Promise<void> {
    const ratios = [placement.offsetXPercent, placement.offsetYPercent, placement.widthPercent, placement.heightPercent];
    if (!ratios.every(Number.isFinite) || placement.widthPercent <= 0 || placement.heightPercent <= 0) {
      throw new ProcessingError('invalid-value', 'offsets must be numbers and sizes positive ratios of the face');
    }
    await this.request('face-image', { image: image.toString('base64'), offsetX: ratios[0], offsetY: ratios[1], width: ratios[2], height: ratios[3] });
  }

  /** Stops drawing over faces. */
  async unsetImage(): Promise<void> {
    await this.request('face-unset');
  }

  protected override onUnitEvent(event: HelperEvent): void {
    if (event.event === 'faces' && typeof event['count'] === 'number') this.faces.emit(event['count']);
  }
}

/** Where an image goes in the frame (ImageOverlayFilter: ratios of the frame). */
export interface ImagePlacement {
  readonly offsetXPercent: number;
  readonly offsetYPercent: number;
  readonly widthPercent: number;
  readonly heightPercent: number;
  readonly keepAspectRatio: boolean;
  readonly center: boolean;
}

/** ImageOverlayFilter's unit. */
export class ImageOverlayUnit extends ProcessingUnit {
  /** Adds (or replaces) the image `id`. */
  async addImage(id: string, image: Buffer, placement: ImagePlacement): Promise<void> {
    const ratios = [placement.offsetXPercent, placement.offsetYPercent, placement.widthPercent, placement.heightPercent];
    if (typeof id !== 'string' || id === '') throw new ProcessingError('invalid-value', 'an image id must be a non-empty string');
    if (!ratios.every(Number.isFinite) || placement.widthPercent <= 0 || placement.heightPercent <= 0) {
      throw new ProcessingError('invalid-value', 'offsets must be numbers and sizes positive ratios of the frame');
    }
    await this.request('image-add', {
      imageId: id,
      image: image.toString('base64'),
      offsetX: ratios[0],
      offsetY: ratios[1],
      width: ratios[2],
      height: ratios[3],
      keepAspectRatio: placement.keepAspectRatio,
      center: placement.center,
    });
  }

  /** Removes the image `id` (no-such-image when it was never added). */
  async removeImage(id: string): Promise<void> {
    await this.request('image-remove', { imageId: id });
  }
}

/** A code read by ZBarFilter's unit. */
export interface CodeFound {
  /** zbar's symbology name: `QR-Code`, `EAN-13`... */
  readonly codeType: string;
  readonly value: string;
}

/** ZBarFilter's unit: it decodes and scans, and gives no RTP back (the element forwards its input). */
export class BarcodeUnit extends ProcessingUnit {
  /** Codes found, under Kurento's rule (a new symbol, or the same one at least 1 s later). */
  readonly codes = new Signal<CodeFound>();
  private readonly reporter = new BarcodeReporter();

  protected override onUnitEvent(event: HelperEvent): void {
    if (event.event !== 'code') return;
    const codeType = event['type'];
    const value = event['value'];
    if (typeof codeType === 'string' && typeof value === 'string' && this.reporter.accept(codeType, value)) this.codes.emit({ codeType, value });
  }
}
