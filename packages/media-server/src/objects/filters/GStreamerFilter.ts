/**
 * Kurento's GStreamerFilter: one GStreamer element, written as gst-launch would take it
 * (`videoflip method=horizontal-flip`), run on the media of one kind. The command is code run on
 * the server, so it is checked before the element exists: it must parse, be one element (no
 * pipeline, no bin), be on the documented allow-list (processing/filterCommand.ts: nothing that
 * touches files, the network or other processes) and be installed. Properties change live.
 */
import { KurentoError } from '@kurento-ts/protocol';
import type { FilterCommandInfo, FilterUnit, ProcessingUnit } from '../../processing/index.js';
import type { RtpCodec } from '../../types/media.js';
import type { Args, ConstructorArgs, Remote } from '../contract.js';
import type { MediaPipeline } from '../MediaPipeline.js';
import type { ObjectContext } from '../ObjectContext.js';
import { Filter, requestError, requireProcessing } from './Filter.js';

export class GStreamerFilter extends Filter implements Remote<'GStreamerFilter'> {
  /** Properties set before the unit runs, in order: applied when it starts, and again if it restarts. */
  private readonly properties: [string, string][] = [];

  private constructor(context: ObjectContext, pipeline: MediaPipeline, private readonly command: string, private readonly info: FilterCommandInfo) {
    super(context, 'GStreamerFilter', pipeline, info.kind === 'AUDIO' ? 'audio' : 'video');
  }

  /** Checks the command with the backend, then makes the element. */
  static async create(context: ObjectContext, pipeline: MediaPipeline, { command, filterType }: ConstructorArgs<'GStreamerFilter'>): Promise<GStreamerFilter> {
    await requireProcessing(context, 'GStreamerFilter');
    let info: FilterCommandInfo;
    try {
      info = await context.processing.inspectFilterCommand(command, filterType);
    } catch (e) {
      throw requestError(e);
    }
    if (pipeline.released) throw new KurentoError('MEDIA_OBJECT_NOT_FOUND', 'mediaPipeline not found');
    return new GStreamerFilter(context, pipeline, command, info);
  }

  getCommand(): string {
    return this.command;
  }

  async setElementProperty({ propertyName, propertyValue }: Args<'GStreamerFilter', 'setElementProperty'>): Promise<void> {
    const property = this.info.properties[propertyName];
    if (!property) throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `${this.info.factory} has no property '${propertyName}'`);
    if (!property.writable) throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `${this.info.factory}'s property '${propertyName}' cannot be written`);
    const unit = this.unit as FilterUnit | undefined;
    if (unit) {
      try {
        await unit.setProperty(propertyName, propertyValue);
      } catch (e) {
        throw requestError(e);
      }
    }
    const at = this.properties.findIndex(([name]) => name === propertyName);
    if (at >= 0) this.properties.splice(at, 1);
    this.properties.push([propertyName, propertyValue]);
  }

  protected createUnit(input: RtpCodec, output: RtpCodec): Promise<ProcessingUnit> {
    return this.context.processing.createFilter({ command: this.command, filterType: this.info.kind, input, output, properties: this.properties });
  }
}
