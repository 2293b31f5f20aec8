/** How each creatable class is built from validated constructor params. */
import { KurentoError, type ClassName } from '@kurento-ts/protocol';
import type { MediaObject, OperationParams } from '../objects/MediaObject.js';
import { MediaPipeline } from '../objects/MediaPipeline.js';
import type { ObjectContext } from '../objects/ObjectContext.js';
import { PassThrough } from '../objects/PassThrough.js';
import { WebRtcEndpoint, webRtcEndpointOptions } from '../objects/endpoints/WebRtcEndpoint.js';

/** Builds an object of one class from its validated constructor params. */
export type Factory = (context: ObjectContext, params: OperationParams) => MediaObject;

const pipelineOf = (params: OperationParams): MediaPipeline => {
  const pipeline = params['mediaPipeline'];
  if (!(pipeline instanceof MediaPipeline) || pipeline.released) throw new KurentoError('MEDIA_OBJECT_NOT_FOUND', 'mediaPipeline not found');
  return pipeline;
};

const factories: Partial<Record<ClassName, Factory>> = {
  MediaPipeline: (context) => new MediaPipeline(context),
  PassThrough: (context, params) => new PassThrough(context, pipelineOf(params)),
  WebRtcEndpoint: (context, params) => new WebRtcEndpoint(context, pipelineOf(params), webRtcEndpointOptions(params)),
};

/** The factory of a class, or undefined when the class cannot be created. */
export function factoryOf(type: ClassName): Factory | undefined {
  return factories[type];
}
