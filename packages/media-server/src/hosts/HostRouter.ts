/**
 * Which host runs which object. The main thread's LocalHost holds the ServerManager (and, with
 * `mediaWorkers: 0`, every object); with N media workers, each new pipeline goes to the
 * least-loaded worker and every element to its pipeline's host. An id names its pipeline
 * (`<pipelineId>/<uuid>_kurento.Type`), so the pipeline → host map routes every request. What
 * hosts report (creations, releases, events) reaches the sessions and the ServerManager here,
 * and is counted for the server's budgets: objects, pipelines and endpoints from those reports,
 * media UDP sockets in counts every thread shares (limits/SocketBudget.ts).
 */
import { SERVER_MANAGER_ID, isA, type ClassName, type JsonObject } from '@kurento-ts/protocol';
import type { Worker } from 'node:worker_threads';
import type { ServerConfig } from '../config/config.js';
import type { BudgetUse } from '../limits/budgets.js';
import { SocketBudget, type SharedSocketCounts } from '../limits/SocketBudget.js';
import { ObjectRegistry } from '../registry/ObjectRegistry.js';
import { objectId } from '../objects/contract.js';
import { createLogger } from '../support/logger.js';
import { LOCAL_SOCKET_SLOT, LocalHost } from './LocalHost.js';
import type { HostListener, MediaHost } from './MediaHost.js';
import type { HostObservation } from './hostObservation.js';
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
  /** The budgets and their use, for the ServerManager. */
  budgets(): BudgetUse[];
}

/** What the hosts hold in all, for the server-wide budgets. */
export interface HostUsage {
  /** Media objects (the ServerManager left out). */
  objects: number;
  pipelines: number;
  /** Objects of an Endpoint class. */
  endpoints: number;
  /** Media UDP sockets open, on every host. */
  udpSockets: number;
}

/** One host's report, with its name and load. */
export interface HostReport extends HostObservation {
  host: string;
  objects: number;
  udpSockets: number;
}

export class HostRouter {
  /** The main thread's host: the ServerManager, and all media when there are no workers. */
  readonly local: LocalHost;
  private readonly workers: WorkerHost[] = [];
  /** Live pipelines, oldest first, and the host of each. */
  private readonly pipelines = new Map<string, MediaHost>();
  /** Ids of live endpoints, whichever host runs them. */
  private readonly endpoints = new Set<string>();
  /** The server-wide socket counts every host's registry leases from. */
  private readonly socketCounts: SharedSocketCounts;
  private readonly sockets: SocketBudget;
  /** Where the round-robin among equally loaded workers goes next. */
  private turn = 0;
  private workerCount = 0;
  private stopping = false;

  constructor(
    private readonly config: ServerConfig,
    private readonly sessions: HostEvents,
  ) {
    this.socketCounts = SocketBudget.shared(config.maxUdpSockets, 1 + config.mediaWorkers);
    this.sockets = new SocketBudget(this.socketCounts, LOCAL_SOCKET_SLOT);
    const facts = { pipelines: () => [...this.pipelines.keys()], sessionIds: () => sessions.sessionIds(), budgets: () => sessions.budgets() };
    const registry = new ObjectRegistry(config, this.sockets, facts);
    this.local = new LocalHost(registry, this.listenerFor(() => this.local));
    for (let i = 0; i < config.mediaWorkers; i++) this.workers.push(this.startWorker(LOCAL_SOCKET_SLOT + 1 + i));
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

  /** Releases an object by id, if it still lives (a session's end); settles when its host is done. */
  async release(id: string): Promise<void> {
    if (id === SERVER_MANAGER_ID) return;
    await this.hostOf(id).call('release', { object: id }).catch((e: unknown) => log.debug(`release of ${id}: ${(e as Error).message}`));
  }

  /** Live objects (the main thread's count includes the ServerManager) and media UDP sockets per host. */
  load(): { host: string; objects: number; udpSockets: number }[] {
    return [this.local, ...this.workers].map((h) => ({ host: h.name, objects: h.load, udpSockets: h.udpSockets }));
  }

  /** What each host reports when an operator looks: `main` first, then each media worker (one that cannot answer is left out). */
  async observe(resetLoopDelay: boolean): Promise<HostReport[]> {
    const hosts: MediaHost[] = [this.local, ...this.workers];
    const reports = await Promise.all(hosts.map(async (h): Promise<HostReport | undefined> => {
      try {
        return { host: h.name, objects: h.load, udpSockets: h.udpSockets, ...(await h.call('observe', resetLoopDelay)) };
      } catch (e) {
        log.debug(`${h.name} did not report: ${(e as Error).message}`);
        return undefined;
      }
    }));
    return reports.filter((r): r is HostReport => r !== undefined);
  }

  /** What every host holds in all. */
  usage(): HostUsage {
    const objects = this.workers.reduce((n, w) => n + w.load, this.local.load - (this.local.registry.serverManager ? 1 : 0));
    return { objects, pipelines: this.pipelines.size, endpoints: this.endpoints.size, udpSockets: this.sockets.used };
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

  private startWorker(socketSlot: number): WorkerHost {
    const name = `worker ${++this.workerCount}`;
    const host: WorkerHost = new WorkerHost(name, this.config, this.socketCounts, socketSlot, this.listenerFor(() => host), (dead) => this.replace(dead));
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
    const next = this.startWorker(dead.socketSlot);
    this.workers[index] = next;
    log.warn(`media ${dead.name} replaced by ${next.name}`);
  }

  /** Hears one host: pipelines are mapped to it, sessions and the ServerManager told. */
  private listenerFor(host: () => MediaHost): HostListener {
    return {
      created: (id, className) => {
        if (className === 'MediaPipeline') this.pipelines.set(id, host());
        else if (isA(className, 'Endpoint')) this.endpoints.add(id);
        this.local.registry.serverManager?.raise('ObjectCreated', { object: objectId(id) });
      },
      released: (id) => {
        this.pipelines.delete(id);
        this.endpoints.delete(id);
        this.sessions.forget(id);
        this.local.registry.serverManager?.raise('ObjectDestroyed', { objectId: id });
      },
      event: (id, type, data) => this.sessions.deliver(id, type, data),
    };
  }
}
