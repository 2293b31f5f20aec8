/**
 * Transactions: operations recorded locally and sent as one `transaction` request. Objects
 * created inside it are named by later operations as `newref:N` (N: the creating operation's
 * index), which the server swaps for the real id. Each operation's promise settles when the
 * commit's answer arrives; the server stops at the first failure, so later operations reject
 * with TRANSACTION_ABORTED.
 */
import type { Json, JsonObject } from '@kurento-ts/protocol';
import { ClientErrorType, CLIENT_ERROR_CODE, KurentoClientError } from './errors.js';
import type { JsonRpcClient } from './rpc/JsonRpcClient.js';
import { isJsonObject } from './rpc/messages.js';
import { decodeValue, encodeArgs, type RefEncoder } from './objects/codec.js';
import { findOperation } from './objects/operations.js';
import { RemoteObjectBase } from './objects/RemoteObjectBase.js';
import { createParams, directRef, type RemoteObjects } from './objects/RemoteObjects.js';
import type {
  ClassName, ClassOf, ConstructorParams, CreatableClass, CreateArgs, Descendants, OperationArgs, OperationName, OperationResult, RemoteObject,
} from './types.js';

/** An object created in a transaction: usable as an argument of later operations in it. */
export class TxRef<C extends ClassName> {
  /** The class being created. */
  readonly className: Descendants<C>;
  /** The creating operation's position in the transaction. */
  readonly index: number;
  /** The proxy, once the transaction is committed (rejects if the creation failed). */
  readonly object: Promise<RemoteObject<C>>;

  /** @internal */
  constructor(className: ClassName, index: number, object: Promise<RemoteObject<C>>) {
    this.className = className as Descendants<C>;
    this.index = index;
    this.object = object;
    object.catch(() => undefined); // every failure also reaches commit(): reading this one is optional
  }
}

/** What transaction operations can act on. */
export type TxTarget = RemoteObject<'MediaObject'> | TxRef<'MediaObject'>;

type Outcome = { readonly value: Json | undefined } | { readonly error: Error };
interface Operation {
  readonly method: 'create' | 'invoke' | 'release';
  readonly params: JsonObject;
  readonly settle: (outcome: Outcome) => Promise<void>;
}

/** Which transaction made each reference (kept off TxRef's public surface). */
const owners = new WeakMap<object, Transaction>();

export class Transaction {
  readonly #objects: RemoteObjects;
  readonly #rpc: JsonRpcClient;
  readonly #operations: Operation[] = [];
  #committed = false;

  /** @internal Made by `KurentoClient.beginTransaction()`. */
  constructor(objects: RemoteObjects, rpc: JsonRpcClient) {
    this.#objects = objects;
    this.#rpc = rpc;
  }

  /** Number of operations recorded. */
  get size(): number {
    return this.#operations.length;
  }

  /** Records the creation of an object; pipeline and other objects may be TxRefs of this transaction. */
  create<C extends CreatableClass>(type: C, ...[params, properties]: CreateArgs<ConstructorParams<C, 'tx'>, C, 'tx'>): TxRef<C> {
    const wire = createParams(type, params ?? {}, properties, this.#ref);
    const index = this.#operations.length;
    let settle!: (outcome: Outcome) => Promise<void>;
    const object = new Promise<RemoteObject<C>>((resolve, reject) => {
      settle = async (outcome) => {
        if ('error' in outcome) return reject(outcome.error);
        if (typeof outcome.value !== 'string') return reject(protocolError('create answered without an id'));
        resolve(this.#objects.adopt(outcome.value, type) as unknown as RemoteObject<C>);
      };
    });
    const ref = new TxRef<C>(type, index, object);
    owners.set(ref, this);
    this.#record({ method: 'create', params: wire, settle });
    return ref;
  }

  /** Records a remote operation (method or property accessor) on a proxy or a TxRef. */
  invoke<T extends TxTarget, K extends OperationName<ClassOf<T>>>(target: T, operation: K, ...args: OperationArgs<ClassOf<T>, K, 'tx'>): Promise<OperationResult<ClassOf<T>, K>> {
    const spec = findOperation(target.className, operation);
    if (!spec) throw new TypeError(`${target.className} has no operation '${operation}'`);
    const operationParams = encodeArgs(spec.params, args, this.#ref);
    const params: JsonObject = { object: this.#ref(target, 'MediaObject', 'target'), operation, ...(Object.keys(operationParams).length > 0 ? { operationParams } : {}) };
    return handled(new Promise((resolve, reject) => {
      this.#record({
        method: 'invoke',
        params,
        settle: async (outcome) => {
          if ('error' in outcome) return reject(outcome.error);
          const value = spec.returns === undefined ? undefined : await decodeValue(outcome.value, spec.returns, (id) => this.#objects.resolve(id));
          resolve(value as OperationResult<ClassOf<T>, K>);
        },
      });
    }));
  }

  /** Records the release of an object. */
  release(target: TxTarget): Promise<void> {
    const object = this.#ref(target, 'MediaObject', 'target');
    return handled(new Promise((resolve, reject) => {
      this.#record({
        method: 'release',
        params: { object },
        settle: async (outcome) => {
          if ('error' in outcome) return reject(outcome.error);
          if (target instanceof RemoteObjectBase) this.#objects.forget(target.id);
          resolve();
        },
      });
    }));
  }

  /** Sends the operations as one request; rejects with the first failure, after every operation settled. */
  async commit(): Promise<void> {
    if (this.#committed) throw new Error('This transaction was already committed');
    this.#committed = true;
    const operations = this.#operations;
    if (operations.length === 0) return;
    let results: Json[];
    try {
      const answer = await this.#rpc.request('transaction', { operations: operations.map(({ method, params }) => ({ method, params })) });
      results = Array.isArray(answer.value) ? answer.value : [];
    } catch (e) {
      await Promise.all(operations.map((op) => op.settle({ error: e as Error })));
      throw e;
    }
    let failure: Error | undefined;
    for (const [i, operation] of operations.entries()) {
      const outcome = failure ? { error: aborted(i, failure) } : outcomeOf(results[i], operation.method);
      if ('error' in outcome) failure ??= outcome.error;
      await operation.settle(outcome).catch((e: unknown) => {
        failure ??= e as Error;
      });
    }
    if (failure) throw failure;
  }

  #record(operation: Operation): void {
    if (this.#committed) throw new Error('This transaction was already committed');
    this.#operations.push(operation);
  }

  /** Inside a transaction, an object is a proxy's id or `newref:N` for one created earlier in it. */
  #ref: RefEncoder = (value, type, path) => {
    if (!(value instanceof TxRef)) return directRef(value, type, path);
    if (owners.get(value) !== this) throw new TypeError(`${path} was created in another transaction`);
    return `newref:${value.index}`;
  };
}

/** Every failure also reaches commit(): awaiting an operation's own promise is optional. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** Reads one entry of the transaction's answer. */
function outcomeOf(entry: Json | undefined, method: string): Outcome {
  if (isJsonObject(entry) && isJsonObject(entry['error'])) {
    const { code, message, data } = entry['error'];
    if (typeof code === 'number') {
      return { error: KurentoClientError.fromRpc({ code, message: typeof message === 'string' ? message : '', ...(isJsonObject(data) && typeof data['type'] === 'string' ? { data: { ...data, type: data['type'] } } : {}) }, method) };
    }
  }
  if (isJsonObject(entry) && isJsonObject(entry['result'])) return { value: entry['result']['value'] };
  return { error: protocolError(`the transaction's answer has no entry for a ${method}`) };
}

function aborted(index: number, cause: Error): Error {
  return new KurentoClientError(CLIENT_ERROR_CODE, ClientErrorType.TRANSACTION_ABORTED, `Operation ${index} did not run: an earlier one failed (${cause.message})`, 'transaction');
}

function protocolError(message: string): Error {
  return new KurentoClientError(CLIENT_ERROR_CODE, ClientErrorType.PROTOCOL_ERROR, message, 'transaction');
}
