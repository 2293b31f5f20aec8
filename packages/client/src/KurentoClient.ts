/**
 * The entry point: a connection to a Kurento server, the session on it, and the factory of
 * proxies. It wires the layers (socket → JSON-RPC → objects) and owns the one piece of protocol
 * policy between them: after a reconnection, `connect` with the old session id resumes the
 * session (objects and subscriptions intact), and error 40007 means it is gone.
 */
import { ErrorCode, SERVER_MANAGER_ID } from '@kurento-ts/protocol';
import { ClientErrorType, CLIENT_ERROR_CODE, ConnectionError, KurentoClientError } from './errors.js';
import { resolveOptions, socketUrl, type KurentoClientOptions, type ResolvedOptions } from './options.js';
import { JsonRpcClient } from './rpc/JsonRpcClient.js';
import { KeepAlive } from './rpc/KeepAlive.js';
import { ReconnectingSocket } from './rpc/ReconnectingSocket.js';
import { RemoteObjects } from './objects/RemoteObjects.js';
import { Transaction } from './Transaction.js';
import type { ClassName, ConstructorParams, CreatableClass, CreateArgs, PropertyValues, RemoteObject } from './types.js';
import { TypedEmitter } from './util/TypedEmitter.js';

/** The client's own events. */
export type KurentoClientEvents = {
  /** A socket reopened after a drop (the session is resumed next). The first socket opens within `connect()`. */
  connected: [];
  /** The socket dropped; requests wait (with their timeouts) while it reconnects. */
  disconnected: [info: { code: number; reason: string }];
  /** A reconnection attempt is scheduled. */
  reconnecting: [info: { attempt: number; delayMs: number }];
  /** The session was resumed after a reconnection: proxies and subscriptions are still valid. */
  reconnected: [info: { sessionId: string | undefined }];
  /** The server no longer knows the session (error 40007): every proxy is dead, a new session starts. */
  sessionLost: [info: { sessionId: string; error: KurentoClientError }];
  /** The client stopped: `close()` was called, or reconnection gave up (`error` says why). */
  closed: [info: { error: Error | undefined }];
};

/** Where the client stands. */
export type ClientState = 'open' | 'reconnecting' | 'closed';

export class KurentoClient extends TypedEmitter<KurentoClientEvents> {
  readonly #options: ResolvedOptions;
  readonly #socket: ReconnectingSocket;
  readonly #rpc: JsonRpcClient;
  readonly #keepAlive: KeepAlive;
  readonly #objects: RemoteObjects;
  #state: ClientState = 'reconnecting';
  #closing: Promise<void> | undefined;
  #stopped: Promise<void> | undefined;

  private constructor(readonly url: string, options: KurentoClientOptions) {
    super();
    this.#options = resolveOptions(options);
    this.#socket = new ReconnectingSocket(socketUrl(url, options.accessToken), { connectTimeoutMs: this.#options.connectTimeoutMs, reconnect: this.#options.reconnect });
    this.#rpc = new JsonRpcClient(this.#socket, this.#options.requestTimeoutMs);
    this.#objects = new RemoteObjects(this.#rpc);
    this.#keepAlive = new KeepAlive(this.#rpc, this.#options.pingIntervalMs, () => this.#socket.drop());
    this.#socket.on('message', (text) => this.#rpc.receive(text));
    this.#rpc.onNotification = (method, params) => {
      if (method === 'onEvent') this.#objects.deliver(params);
    };
  }

  /**
   * Connects to a Kurento server, e.g. `ws://127.0.0.1:8888/kurento`. Resolves once the server
   * answered a first `ping`; rejects with a ConnectionError or RequestTimeoutError otherwise.
   */
  static async connect(url: string, options: KurentoClientOptions = {}): Promise<KurentoClient> {
    const client = new KurentoClient(url, options);
    try {
      await client.#start();
    } catch (e) {
      await client.#shutDown(e instanceof Error ? e : new Error(String(e)), false);
      throw e;
    }
    return client;
  }

  /** The Kurento session id, once the server assigned one (after the first `create`). */
  get sessionId(): string | undefined {
    return this.#rpc.sessionId;
  }

  /** Where the client stands. */
  get state(): ClientState {
    return this.#state;
  }

  /** Creates an object, e.g. `create('MediaPipeline')` or `create('WebRtcEndpoint', { mediaPipeline })`. */
  async create<C extends CreatableClass>(type: C, ...[params, properties]: CreateArgs<ConstructorParams<C>, C>): Promise<RemoteObject<C>> {
    return (await this.#objects.create(type, params ?? {}, properties)) as unknown as RemoteObject<C>;
  }

  /** Creates a media pipeline. */
  createMediaPipeline(properties?: PropertyValues<'MediaPipeline'>): Promise<RemoteObject<'MediaPipeline'>> {
    return this.create('MediaPipeline', {}, properties);
  }

  /** The proxy of an existing object, by id (asks the server with `describe` if it is new to this client). */
  getMediaobjectById(id: string): Promise<RemoteObject<'MediaObject'>>;
  /** Same, checking the object is a `expected` (or derives from it), typed accordingly. */
  getMediaobjectById<C extends ClassName>(id: string, expected: C): Promise<RemoteObject<C>>;
  async getMediaobjectById(id: string, expected: ClassName = 'MediaObject'): Promise<RemoteObject<ClassName>> {
    return (await this.#objects.resolveAs(id, expected)) as unknown as RemoteObject<ClassName>;
  }

  /** The server manager (a singleton on every server). */
  getServerManager(): Promise<RemoteObject<'ServerManager'>> {
    return this.getMediaobjectById(SERVER_MANAGER_ID, 'ServerManager');
  }

  /** Starts recording operations to send as one `transaction` request on `commit()`. */
  beginTransaction(): Transaction {
    return new Transaction(this.#objects, this.#rpc);
  }

  /**
   * Closes the connection and stops every timer; pending requests reject with CLIENT_CLOSED.
   * With `closeSession`, asks the server to end the session first (releasing its objects now
   * rather than after the server's grace period). Idempotent.
   */
  close(options: { closeSession?: boolean } = {}): Promise<void> {
    this.#closing ??= (async () => {
      if (options.closeSession && this.#state === 'open' && this.sessionId !== undefined) {
        await this.#rpc.request('closeSession').catch(() => undefined);
      }
      await this.#shutDown(undefined, true);
    })();
    return this.#closing;
  }

  async #start(): Promise<void> {
    await this.#socket.open();
    this.#socket.on('open', (reconnect) => {
      if (!reconnect) return; // the first socket is open before anyone can listen
      this.emit('connected');
      void this.#resume();
    });
    this.#socket.on('drop', (code, reason) => {
      this.#state = 'reconnecting';
      this.#keepAlive.stop();
      this.#rpc.connectionLost();
      this.emit('disconnected', { code, reason });
    });
    this.#socket.on('retry', (attempt, delayMs) => this.emit('reconnecting', { attempt, delayMs }));
    this.#socket.on('giveUp', (error) => void this.#shutDown(new ConnectionError('CLIENT_CLOSED', `Gave up reconnecting: ${error.message}`), true));
    this.#rpc.resume();
    // As the official client does: the first ping tells the server our interval and proves it speaks the protocol.
    await this.#rpc.request('ping', { interval: this.#options.pingIntervalMs });
    this.#state = 'open';
    this.#keepAlive.start();
  }

  /** After a reconnection: resume the session before anything else goes out. */
  async #resume(): Promise<void> {
    const sessionId = this.#rpc.sessionId;
    if (sessionId !== undefined) {
      try {
        await this.#rpc.request('connect', { sessionId }, { urgent: true });
      } catch (e) {
        if (this.#state === 'closed') return;
        if (!(e instanceof KurentoClientError && e.code === ErrorCode.INVALID_SESSION)) {
          this.#socket.drop(); // no answer or a lost socket: try again on a fresh one
          return;
        }
        this.#objects.invalidateAll(new KurentoClientError(CLIENT_ERROR_CODE, ClientErrorType.OBJECT_RELEASED, `Session ${sessionId} was lost`));
        this.#rpc.sessionId = undefined;
        this.#reopen();
        this.emit('sessionLost', { sessionId, error: e });
        return;
      }
    }
    this.#reopen();
    this.emit('reconnected', { sessionId });
  }

  #reopen(): void {
    this.#state = 'open';
    this.#rpc.resume();
    this.#keepAlive.start();
  }

  #shutDown(error: Error | undefined, emit: boolean): Promise<void> {
    this.#stopped ??= (async () => {
      this.#state = 'closed';
      this.#keepAlive.stop();
      const closed = new ConnectionError('CLIENT_CLOSED', error ? error.message : 'The client was closed');
      this.#rpc.close(closed);
      this.#objects.invalidateAll(closed);
      await this.#socket.close();
      if (emit) this.emit('closed', { error });
    })();
    return this.#stopped;
  }
}
