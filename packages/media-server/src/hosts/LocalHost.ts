/** The host in the main thread: ObjectOperations called directly (all media when mediaWorkers is 0; always the ServerManager). */
import type { ObjectRegistry } from '../registry/ObjectRegistry.js';
import type { HostListener, MediaHost } from './MediaHost.js';
import { ObjectOperations, perform, type OperationArgs, type OperationName, type OperationResult } from './ObjectOperations.js';

/** The main thread's slot in the shared socket counts (a worker's is its own, from 1). */
export const LOCAL_SOCKET_SLOT = 0;

export class LocalHost implements MediaHost {
  readonly name = 'main';
  private readonly operations: ObjectOperations;

  constructor(readonly registry: ObjectRegistry, listener: HostListener) {
    registry.listen(listener);
    this.operations = new ObjectOperations(registry);
  }

  get load(): number {
    return this.registry.size;
  }

  get udpSockets(): number {
    return this.registry.sockets.usedBy(LOCAL_SOCKET_SLOT);
  }

  call<K extends OperationName>(method: K, ...args: OperationArgs<K>): Promise<OperationResult<K>> {
    return perform(this.operations, method, args);
  }

  async close(): Promise<void> {
    this.operations.releaseAll();
  }
}
