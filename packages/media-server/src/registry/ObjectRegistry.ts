/**
 * Every live media object of one thread by id, and the object context they run in. The host
 * above listens to it for creations, events and releases (by id: they may cross a thread
 * boundary); objects never see sessions or sockets.
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { events, supportsEvent, type ClassName, type EventName, type FieldSpec, type JsonObject } from '@kurento-ts/protocol';
import type { ServerConfig } from '../config/config.js';
import type { SocketBudget } from '../limits/SocketBudget.js';
import type { MediaObject } from '../objects/MediaObject.js';
import { MediaPipeline } from '../objects/MediaPipeline.js';
import type { ObjectContext } from '../objects/ObjectContext.js';
import { HttpUploadServer, type HttpUploadServerOptions } from '../media/index.js';
import { addToTotals, type ElementView, type TotalsTable } from '../objects/observation.js';
import { ServerManager, type ServerFacts } from '../objects/ServerManager.js';
import { mediaKinds } from '../types/media.js';
import { ProcessingBackend } from '../processing/index.js';
import { Transcoders } from './Transcoders.js';
import { createLogger } from '../support/logger.js';
import { encodeFields, encodeValue } from './wire.js';

const log = createLogger('kms:registry');

/** What the registry reports to the layer above, by object id. */
export interface RegistryListener {
  /** An object was created and registered. */
  created(id: string, className: ClassName): void;
  /** An object raised an event. */
  event(id: string, type: string, data: JsonObject): void;
  /** An object was released and is gone. */
  released(id: string): void;
}

export class ObjectRegistry implements ObjectContext {
  private readonly objects = new Map<string, MediaObject>();
  /** The singleton server manager, in the registry given its facts (the main thread's). */
  readonly serverManager: ServerManager | undefined;
  private listener: RegistryListener | undefined;
  /** Counters of the elements released here, by type and kind: the metrics' totals keep them. */
  readonly retired: TotalsTable = {};

  /** The processing backend, made when a filter or transcoder first needs it. */
  private backend: ProcessingBackend | undefined;

  get processing(): ProcessingBackend {
    this.backend ??= new ProcessingBackend();
    return this.backend;
  }

  /** Transcoders on edges, through the processing backend (none when `transcoding` is off). */
  get transcoders(): Transcoders | undefined {
    if (!this.config.transcoding) return undefined;
    this.edgeTranscoders ??= new Transcoders(() => this.processing);
    return this.edgeTranscoders;
  }

  private edgeTranscoders: Transcoders | undefined;

  /** Transcoders running on edges now, and started since this host began (for metrics). */
  get transcoderCounts(): { active: number; started: number } {
    return this.edgeTranscoders?.counts ?? { active: 0, started: 0 };
  }

  /** HttpPostEndpoints' upload server, made at the first one. */
  get uploads(): HttpUploadServer {
    this.uploadServer ??= new HttpUploadServer(uploadServerOptions(this.config));
    return this.uploadServer;
  }

  private uploadServer: HttpUploadServer | undefined;

  constructor(
    readonly config: ServerConfig,
    readonly sockets: SocketBudget,
    serverFacts?: ServerFacts,
  ) {
    if (!serverFacts) return;
    this.serverManager = new ServerManager(this, serverFacts);
    this.objects.set(this.serverManager.id, this.serverManager);
  }

  /** Sets who hears events and releases. */
  listen(listener: RegistryListener): void {
    this.listener = listener;
  }

  register(object: MediaObject): void {
    this.objects.set(object.id, object);
    log.debug(`[${object.id}] created`);
    this.listener?.created(object.id, object.className);
  }

  retire(element: ElementView): void {
    for (const kind of mediaKinds) addToTotals(this.retired, element.type, kind, element.kinds[kind]);
  }

  unregister(object: MediaObject): void {
    if (!this.objects.delete(object.id)) return;
    log.debug(`[${object.id}] released`);
    this.listener?.released(object.id);
  }

  resolve(id: string): MediaObject | undefined {
    return this.objects.get(id);
  }

  /** Encodes an event as Kurento sends it: the fields every event carries, then its own by the schema. */
  raise(object: MediaObject, type: EventName, fields: Readonly<Record<string, unknown>>): void {
    if (!supportsEvent(object.className, type)) log.error(`[${object.id}] raised ${type}, which ${object.className} does not declare`);
    const own: Readonly<Record<string, FieldSpec>> = events[type];
    const data: JsonObject = {
      source: object.id,
      tags: encodeValue(object.eventTags(), 'Tag[]') ?? [],
      timestampMillis: String(Date.now()),
      type,
      ...encodeFields(own, fields),
    };
    this.listener?.event(object.id, type, data);
  }

  /** Live pipelines, oldest first. */
  pipelines(): MediaPipeline[] {
    return [...this.objects.values()].filter((o): o is MediaPipeline => o instanceof MediaPipeline);
  }

  /** Number of live objects, the server manager included where it lives here. */
  get size(): number {
    return this.objects.size;
  }

  /** Releases every pipeline (server shutdown). */
  releaseAll(): void {
    for (const pipeline of this.pipelines()) pipeline.release();
    void this.backend?.closeAll();
  }
}

/** Uploads are taken at the WebSocket's address, with its TLS; a wildcard address announces the first media address or a non-internal one. */
function uploadServerOptions(config: ServerConfig): HttpUploadServerOptions {
  const wildcard = config.host === '0.0.0.0' || config.host === '::' || config.host === '';
  const external = Object.values(networkInterfaces()).flat().find((a) => a && !a.internal && a.family === 'IPv4')?.address;
  const announcedHost = wildcard ? (config.networkInterfaces[0] ?? external ?? '127.0.0.1') : config.host;
  const tls = config.tlsCert ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) } : undefined;
  return { host: config.host, announcedHost, port: config.httpEndpointPort, ...(tls ? { tls } : {}) };
}
