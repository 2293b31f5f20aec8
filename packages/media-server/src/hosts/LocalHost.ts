/** The host in the main thread: ObjectOperations called directly (all media when mediaWorkers is 0; always the ServerManager). */
import type { ObjectRegistry } from '../registry/ObjectRegistry.js';
import type { HostListener, MediaHost } from './MediaHost.js';
import { ObjectOperations, perform, type OperationArgs, type OperationName, type OperationResult } from './ObjectOperations.js';

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

  call<K extends OperationName>(method: K, ...args: OperationArgs<K>): Promise<OperationResult<K>> {
    return perform(this.operations, method, args);
  }

  async close(): Promise<void> {
    this.operations.releaseAll();
  }
}
