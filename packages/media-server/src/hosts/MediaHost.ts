/**
 * Where media objects live: the main thread (LocalHost) or a media worker thread (WorkerHost).
 * Both run ObjectOperations on their own ObjectRegistry; the control plane reaches them only
 * through this interface, with JSON in and out, and hears back by object id.
 */
import type { RegistryListener } from '../registry/ObjectRegistry.js';
import type { OperationArgs, OperationName, OperationResult } from './ObjectOperations.js';

/** What a host reports: objects created, events raised, objects released. */
export type HostListener = RegistryListener;

export interface MediaHost {
  /** `main`, or `worker N`: for logs and diagnostics. */
  readonly name: string;
  /** Live objects on this host. */
  readonly load: number;
  /** Media UDP sockets open on this host. */
  readonly udpSockets: number;
  /** Runs one object operation here (create, invoke, release, describe, checkEvent, has, releaseAll). */
  call<K extends OperationName>(method: K, ...args: OperationArgs<K>): Promise<OperationResult<K>>;
  /** Releases every object here and stops the host (a worker's thread ends). */
  close(): Promise<void>;
}
