/** `pipeline.create(type, params)`: elements made in a pipeline, without naming the pipeline again. */
import type { ClassName, ConstructorParams, CreateArgs, PipelineElementClass, RemoteObject } from '../types.js';
import { HOST, type RemoteObjectBase } from './RemoteObjectBase.js';

/** The constructor params of an element, less the pipeline it is created in. */
export type ElementParams<C extends PipelineElementClass> = Omit<ConstructorParams<C>, 'mediaPipeline'>;

/** What a MediaPipeline proxy has beyond its schema operations. */
export interface PipelineFactory {
  /** Creates an element in this pipeline, e.g. `pipeline.create('WebRtcEndpoint', { recvonly: true })`. */
  create<C extends PipelineElementClass>(type: C, ...args: CreateArgs<ElementParams<C>, C>): Promise<RemoteObject<C>>;
}

/** The run-time `create` put on the MediaPipeline prototype. */
export function pipelineCreate(
  this: RemoteObjectBase,
  type: ClassName,
  params?: Readonly<Record<string, unknown>>,
  properties?: Readonly<Record<string, unknown>>,
): Promise<RemoteObjectBase> {
  return this[HOST].create(type, { ...params, mediaPipeline: this }, properties);
}
