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
import { HttpPostEndpoint } from '../objects/endpoints/HttpPostEndpoint.js';
import { PlayerEndpoint } from '../objects/endpoints/PlayerEndpoint.js';
import { FaceOverlayFilter } from '../objects/filters/FaceOverlayFilter.js';
import { GStreamerFilter } from '../objects/filters/GStreamerFilter.js';
import { ImageOverlayFilter } from '../objects/filters/ImageOverlayFilter.js';
import { ZBarFilter } from '../objects/filters/ZBarFilter.js';
import { RecorderEndpoint } from '../objects/endpoints/RecorderEndpoint.js';
import { RtpEndpoint } from '../objects/endpoints/RtpEndpoint.js';
import { WebRtcEndpoint } from '../objects/endpoints/WebRtcEndpoint.js';

/** Builds an object of class `C` from its validated constructor params. */
export type Factory<C extends CreatableClass> = (context: ObjectContext, params: ConstructorArgs<C>) => Made<MediaObject & Implementation<C>>;

/** An object, or the promise of one for classes that check with their backend first. */
type Made<T> = T | Promise<T>;

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
  HttpPostEndpoint: (context, params) => HttpPostEndpoint.create(context, pipelineOf(params.mediaPipeline), params),
  GStreamerFilter: (context, params) => GStreamerFilter.create(context, pipelineOf(params.mediaPipeline), params),
  FaceOverlayFilter: (context, params) => FaceOverlayFilter.create(context, pipelineOf(params.mediaPipeline), params),
  ImageOverlayFilter: (context, params) => ImageOverlayFilter.create(context, pipelineOf(params.mediaPipeline), params),
  ZBarFilter: (context, params) => ZBarFilter.create(context, pipelineOf(params.mediaPipeline), params),
};

/**
 * The factory of a creatable class, taking params the caller validated against the class's
 * schema (the one place where runtime-checked JSON meets the typed constructors).
 */
export function factoryOf(type: CreatableClass): (context: ObjectContext, params: Readonly<Record<string, unknown>>) => Made<MediaObject> {
  return factories[type] as (context: ObjectContext, params: Readonly<Record<string, unknown>>) => Made<MediaObject>;
}
