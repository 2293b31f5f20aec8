/**
 * The main thread's side of a media worker: object operations go to the worker as numbered
 * messages and come back as results or errors (a KurentoError keeps its code, message and type
 * across the boundary); creations, releases and events come back as notifications. A worker
 * that dies fails its pending requests, reports its objects released and is reported to
 * `onDeath` (HostRouter starts a replacement).
 */
import { Worker } from 'node:worker_threads';
import { KurentoError, errorName, type ClassName, type ErrorName, type JsonObject } from '@kurento-ts/protocol';
import type { ServerConfig } from '../config/config.js';
import { SocketBudget, type SharedSocketCounts } from '../limits/SocketBudget.js';
import { createLogger } from '../support/logger.js';
import type { HostListener, MediaHost } from './MediaHost.js';
import type { OperationArgs, OperationName, OperationResult } from './ObjectOperations.js';

const log = createLogger('kms:workers');
/** How long stop() waits for a worker to release its objects before terminating it. */
const RELEASE_ALL_WAIT_MS = 5000;
/** The worker's entry: through tsx when this module runs from its .ts source, else the built .js. */
const WORKER_ENTRY = new URL(import.meta.url.endsWith('.ts') ? './mediaWorkerTs.mjs' : './mediaWorker.js', import.meta.url);

/** What a media worker is started with. */
export interface MediaWorkerData {
  name: string;
  config: ServerConfig;
  /** The server-wide socket counts, shared with every thread. */
  sockets: SharedSocketCounts;
  /** This worker's slot in them. */
  socketSlot: number;
}

/** An error as it crosses the thread boundary: `type` set for a KurentoError. */
export interface WireError {
  type?: ErrorName;
  message: string;
  stack?: string;
}

/** Main thread → worker: one operation, numbered for its answer. */
export type ToWorker = { [K in OperationName]: { call: number; method: K; args: OperationArgs<K> } }[OperationName];

/** Worker → main thread. */
export type FromWorker =
  | { kind: 'ready' }
  | { kind: 'result'; call: number; value: OperationResult<OperationName> }
  | { kind: 'error'; call: number; error: WireError }
  | { kind: 'created'; id: string; className: ClassName }
  | { kind: 'released'; id: string }
  | { kind: 'event'; id: string; type: string; data: JsonObject };

export function toWireError(e: unknown): WireError {
  if (e instanceof KurentoError) return { type: errorName(e.code), message: e.message };
  return e instanceof Error ? { message: e.message, stack: e.stack } : { message: String(e) };
}

export function fromWireError(e: WireError): Error {
  if (e.type) return new KurentoError(e.type, e.message);
  const error = new Error(e.message);
  if (e.stack) error.stack = e.stack;
  return error;
}

interface Pending {
  resolve(value: OperationResult<OperationName>): void;
  reject(error: Error): void;
}

export class WorkerHost implements MediaHost {
  readonly worker: Worker;
  /** Settles when the worker has loaded (rejects when it died before). */
  readonly ready: Promise<void>;
  private readonly stopped: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  /** Ids of the worker's live objects, oldest first. */
  private readonly objects = new Set<string>();
  /** Whether the worker loaded and said so. */
  started = false;
  private nextCall = 1;
  private failure: Error | undefined;
  private exited = false;
  private closing = false;

  /** The worker's view of the shared socket counts (read here, written there). */
  private readonly sockets: SocketBudget;

  constructor(
    readonly name: string,
    config: ServerConfig,
    sockets: SharedSocketCounts,
    /** Its slot in the shared socket counts; a replacement takes the same one. */
    readonly socketSlot: number,
    private readonly listener: HostListener,
    private readonly onDeath: (host: WorkerHost) => void,
  ) {
    this.sockets = new SocketBudget(sockets, socketSlot);
    const workerData: MediaWorkerData = { name, config, sockets, socketSlot };
    // A 12 MB young generation (4 MB semi-spaces), as main.ts gives the main thread, also when an
    // embedding process did not start Node with --max-semi-space-size (docs/performance.md).
    this.worker = new Worker(WORKER_ENTRY, { workerData, resourceLimits: { maxYoungGenerationSizeMb: 12 } });
    let started = (): void => undefined;
    let failed = (_e: Error): void => undefined;
    this.ready = new Promise((resolve, reject) => ((started = resolve), (failed = reject)));
    this.worker.on('message', (m: FromWorker) => {
      if (m.kind !== 'ready') return this.receive(m);
      this.started = true;
      started();
    });
    this.worker.on('error', (e) => (this.failure = e));
    this.stopped = new Promise((resolve) => {
      this.worker.on('exit', (code) => {
        const reason = this.failure?.message ?? `exit code ${code}`;
        failed(new Error(`media ${name} stopped while starting: ${reason}`));
        this.exit(reason);
        resolve();
      });
    });
    this.ready.catch(() => undefined); // reported by whoever awaits it
  }

  get load(): number {
    return this.objects.size;
  }

  get udpSockets(): number {
    return this.sockets.usedBy(this.socketSlot);
  }

  call<K extends OperationName>(method: K, ...args: OperationArgs<K>): Promise<OperationResult<K>> {
    return new Promise((resolve, reject) => {
      if (this.exited) return reject(this.stoppedError('it had stopped'));
      const call = this.nextCall++;
      this.pending.set(call, { resolve: resolve as Pending['resolve'], reject });
      this.worker.postMessage({ call, method, args } as ToWorker);
    });
  }

  async close(): Promise<void> {
    if (this.exited) return;
    // A worker stuck in a loop never answers: it is terminated all the same after a while.
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        log.warn(`${this.name}: no answer to releaseAll in ${RELEASE_ALL_WAIT_MS} ms, terminating it`);
        resolve();
      }, RELEASE_ALL_WAIT_MS);
    });
    await Promise.race([this.call('releaseAll').catch((e: unknown) => log.warn(`${this.name}: releasing its objects failed`, e)), stuck]);
    clearTimeout(timer);
    this.closing = true;
    await this.worker.terminate();
    await this.stopped;
  }

  private receive(m: Exclude<FromWorker, { kind: 'ready' }>): void {
    switch (m.kind) {
      case 'result':
      case 'error': {
        const pending = this.pending.get(m.call);
        this.pending.delete(m.call);
        if (m.kind === 'result') pending?.resolve(m.value);
        else pending?.reject(fromWireError(m.error));
        return;
      }
      case 'created':
        this.objects.add(m.id);
        return this.listener.created(m.id, m.className);
      case 'released':
        this.objects.delete(m.id);
        return this.listener.released(m.id);
      case 'event':
        return this.listener.event(m.id, m.type, m.data);
    }
  }

  private stoppedError(reason: string): KurentoError {
    return new KurentoError('UNEXPECTED_ERROR', `The media ${this.name} running this object stopped: ${reason}`);
  }

  /** The thread ended: fail what waits on it and report its objects gone, children first. */
  private exit(reason: string): void {
    this.exited = true;
    if (!this.closing) log.error(`media ${this.name} stopped (${reason}): its ${this.objects.size} objects are released`, this.failure ?? '');
    for (const pending of this.pending.values()) pending.reject(this.stoppedError(reason));
    this.pending.clear();
    for (const id of [...this.objects].reverse()) this.listener.released(id);
    this.objects.clear();
    // Its sockets closed with its thread: they go back to the server's budget.
    this.sockets.forfeit(this.socketSlot);
    if (!this.closing) this.onDeath(this);
  }
}
