/**
 * Every live media object by id, and the object context they run in. The RPC layer listens to
 * it for events and releases; objects never see sessions or sockets.
 */
import type { JsonObject } from '@kurento-ts/protocol';
import type { ServerConfig } from '../config/config.js';
import type { MediaObject } from '../objects/MediaObject.js';
import { MediaPipeline } from '../objects/MediaPipeline.js';
import type { ObjectContext } from '../objects/ObjectContext.js';
import { ServerManager } from '../objects/ServerManager.js';
import { createLogger } from '../support/logger.js';

const log = createLogger('kms:registry');

/** What the registry reports to the layer above. */
export interface RegistryListener {
  /** An object raised an event. */
  event(object: MediaObject, type: string, data: JsonObject): void;
  /** An object was released and is gone. */
  released(object: MediaObject): void;
}

export class ObjectRegistry implements ObjectContext {
  private readonly objects = new Map<string, MediaObject>();
  /** The singleton server manager. */
  readonly serverManager: ServerManager;
  private listener: RegistryListener | undefined;

  constructor(
    readonly config: ServerConfig,
    sessionIds: () => string[],
  ) {
    this.serverManager = new ServerManager(this, { pipelines: () => this.pipelines(), sessionIds });
    this.objects.set(this.serverManager.id, this.serverManager);
  }

  /** Sets who hears events and releases. */
  listen(listener: RegistryListener): void {
    this.listener = listener;
  }

  register(object: MediaObject): void {
    this.objects.set(object.id, object);
    log.debug(`[${object.id}] created`);
    this.serverManager.raise('ObjectCreated', { object: object.id });
  }

  unregister(object: MediaObject): void {
    if (!this.objects.delete(object.id)) return;
    log.debug(`[${object.id}] released`);
    this.listener?.released(object);
    this.serverManager.raise('ObjectDestroyed', { objectId: object.id });
  }

  resolve(id: string): MediaObject | undefined {
    return this.objects.get(id);
  }

  raise(object: MediaObject, type: string, data: JsonObject): void {
    this.listener?.event(object, type, data);
  }

  /** Live pipelines, oldest first. */
  pipelines(): MediaPipeline[] {
    return [...this.objects.values()].filter((o): o is MediaPipeline => o instanceof MediaPipeline);
  }

  /** Number of live objects, the server manager included. */
  get size(): number {
    return this.objects.size;
  }

  /** Releases every pipeline (server shutdown). */
  releaseAll(): void {
    for (const pipeline of this.pipelines()) pipeline.release();
  }
}
