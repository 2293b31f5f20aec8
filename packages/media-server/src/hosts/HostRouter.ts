/**
 * Which host runs which object. The main thread's LocalHost holds the ServerManager (and, with
 * `mediaWorkers: 0`, every object); with N media workers, each new pipeline goes to the
 * least-loaded worker and every element to its pipeline's host. An id names its pipeline
 * (`<pipelineId>/<uuid>_kurento.Type`), so the pipeline → host map routes every request. What
 * hosts report (creations, releases, events) reaches the sessions and the ServerManager here.
 */
import { SERVER_MANAGER_ID, type ClassName, type JsonObject } from '@kurento-ts/protocol';
import type { Worker } from 'node:worker_threads';
import type { ServerConfig } from '../config/config.js';
import { ObjectRegistry } from '../registry/ObjectRegistry.js';
import { objectId } from '../objects/contract.js';
import { createLogger } from '../support/logger.js';
import { LocalHost } from './LocalHost.js';
import type { HostListener, MediaHost } from './MediaHost.js';
import { isObject, type Params } from './ObjectOperations.js';
import { WorkerHost } from './WorkerHost.js';

const log = createLogger('kms:workers');

/** Who hears what the hosts report, above them (the session layer). */
export interface HostEvents {
  /** Ids of live sessions, for the ServerManager. */
  sessionIds(): string[];
  /** An object raised an event. */
  deliver(objectId: string, type: string, data: JsonObject): void;
  /** An object is gone. */
  forget(objectId: string): void;
}

export class HostRouter {
  /** The main thread's host: the ServerManager, and all media when there are no workers. */
  readonly local: LocalHost;
  private readonly workers: WorkerHost[] = [];
  /** Live pipelines, oldest first, and the host of each. */
  private readonly pipelines = new Map<string, MediaHost>();
  /** Where the round-robin among equally loaded workers goes next. */
  private turn = 0;
  private workerCount = 0;
  private stopping = false;

  constructor(
    private readonly config: ServerConfig,
    private readonly sessions: HostEvents,
  ) {
    const registry = new ObjectRegistry(config, { pipelines: () => [...this.pipelines.keys()], sessionIds: () => sessions.sessionIds() });
    this.local = new LocalHost(registry, this.listenerFor(() => this.local));
    for (let i = 0; i < config.mediaWorkers; i++) this.workers.push(this.startWorker());
  }

  /** Resolves once every worker has loaded; rejects when one could not start. */
  async ready(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.ready));
  }

  /** The host of an object id (an element's id starts with its pipeline's); unknown ids go to the main thread, which does not know them either. */
  hostOf(id: unknown): MediaHost {
    if (typeof id !== 'string' || id === SERVER_MANAGER_ID) return this.local;
    return this.pipelines.get(id.split('/', 1)[0] ?? id) ?? this.local;
  }

  /** Where a `create` runs: a new pipeline on the least-loaded worker, anything else beside its pipeline. */
  hostForCreate(type: ClassName, params: Params): MediaHost {
    if (type === 'MediaPipeline') return this.leastLoaded();
    const constructorParams = params['constructorParams'];
    return this.hostOf(isObject(constructorParams) ? constructorParams['mediaPipeline'] : undefined);
  }

  /** Releases an object by id, if it still lives (a session's end). */
  release(id: string): void {
    if (id === SERVER_MANAGER_ID) return;
    this.hostOf(id).call('release', { object: id }).catch((e: unknown) => log.debug(`release of ${id}: ${(e as Error).message}`));
  }

  /** Live objects per host (the main thread's count includes the ServerManager). */
  load(): { host: string; objects: number }[] {
    return [this.local, ...this.workers].map((h) => ({ host: h.name, objects: h.load }));
  }

  /** The worker threads running now. */
  get threads(): Worker[] {
    return this.workers.map((w) => w.worker);
  }

  /** Releases every object and ends the worker threads. */
  async close(): Promise<void> {
    this.stopping = true;
    await Promise.all([this.local, ...this.workers].map((h) => h.close()));
    this.workers.length = 0;
  }

  private leastLoaded(): MediaHost {
    const n = this.workers.length;
    let best: WorkerHost | undefined;
    let bestIndex = 0;
    for (let i = 0; i < n; i++) {
      const index = (this.turn + i) % n;
      const worker = this.workers[index];
      if (worker && (!best || worker.load < best.load)) [best, bestIndex] = [worker, index];
    }
    this.turn = (bestIndex + 1) % Math.max(n, 1);
    return best ?? this.local;
  }

  private startWorker(): WorkerHost {
    const host: WorkerHost = new WorkerHost(`worker ${++this.workerCount}`, this.config, this.listenerFor(() => host), (dead) => this.replace(dead));
    return host;
  }

  /** A worker died (its objects are already reported released): start another in its place. */
  private replace(dead: WorkerHost): void {
    const index = this.workers.indexOf(dead);
    if (index < 0 || this.stopping) return;
    if (!dead.started) {
      log.error(`media ${dead.name} could not start: not replaced`);
      this.workers.splice(index, 1);
      return;
    }
    const next = this.startWorker();
    this.workers[index] = next;
    log.warn(`media ${dead.name} replaced by ${next.name}`);
  }

  /** Hears one host: pipelines are mapped to it, sessions and the ServerManager told. */
  private listenerFor(host: () => MediaHost): HostListener {
    return {
      created: (id, className) => {
        if (className === 'MediaPipeline') this.pipelines.set(id, host());
        this.local.registry.serverManager?.raise('ObjectCreated', { object: objectId(id) });
      },
      released: (id) => {
        this.pipelines.delete(id);
        this.sessions.forget(id);
        this.local.registry.serverManager?.raise('ObjectDestroyed', { objectId: id });
      },
      event: (id, type, data) => this.sessions.deliver(id, type, data),
    };
  }
}
