/**
 * How each creatable class is built from its validated constructor params. The table is typed
 * by the schema: a creatable class without a factory, or a factory whose object does not
 * implement the class's whole remote interface (every method and property of its lineage),
 * does not compile.
 */
import { KurentoError, type CreatableClass } from '@kurento-ts/protocol';
import type { ConstructorArgs, Implementation } from '../objects/contract.js';
import type { MediaObject } from '../objects/MediaObject.js';
import { MediaPipeline } from '../objects/MediaPipeline.js';
import type { ObjectContext } from '../objects/ObjectContext.js';
import { PassThrough } from '../objects/PassThrough.js';
import { PlayerEndpoint } from '../objects/endpoints/PlayerEndpoint.js';
import { RecorderEndpoint } from '../objects/endpoints/RecorderEndpoint.js';
import { RtpEndpoint } from '../objects/endpoints/RtpEndpoint.js';
import { WebRtcEndpoint } from '../objects/endpoints/WebRtcEndpoint.js';

/** Builds an object of class `C` from its validated constructor params. */
export type Factory<C extends CreatableClass> = (context: ObjectContext, params: ConstructorArgs<C>) => MediaObject & Implementation<C>;

/** The pipeline an element is created in, still alive. */
const pipelineOf = (pipeline: MediaPipeline): MediaPipeline => {
  if (pipeline.released) throw new KurentoError('MEDIA_OBJECT_NOT_FOUND', 'mediaPipeline not found');
  return pipeline;
};

const factories: { readonly [C in CreatableClass]: Factory<C> } = {
  MediaPipeline: (context) => new MediaPipeline(context),
  PassThrough: (context, params) => new PassThrough(context, pipelineOf(params.mediaPipeline)),
  WebRtcEndpoint: (context, params) => new WebRtcEndpoint(context, pipelineOf(params.mediaPipeline), params),
  RtpEndpoint: (context, params) => new RtpEndpoint(context, pipelineOf(params.mediaPipeline), params),
  RecorderEndpoint: (context, params) => new RecorderEndpoint(context, pipelineOf(params.mediaPipeline), params),
  PlayerEndpoint: (context, params) => new PlayerEndpoint(context, pipelineOf(params.mediaPipeline), params),
};

/**
 * The factory of a creatable class, taking params the caller validated against the class's
 * schema (the one place where runtime-checked JSON meets the typed constructors).
 */
export function factoryOf(type: CreatableClass): (context: ObjectContext, params: Readonly<Record<string, unknown>>) => MediaObject {
  return factories[type] as (context: ObjectContext, params: Readonly<Record<string, unknown>>) => MediaObject;
}
