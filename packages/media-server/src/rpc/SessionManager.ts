/**
 * Kurento sessions: who holds which objects and who listens to which events. A session
 * outlives its WebSocket for a grace period, so a client that reconnects with `connect` and
 * its `sessionId` finds its objects and subscriptions; after that its objects are released.
 * Each session counts against the clients of the connection that opened it (rpc/clients.ts),
 * in its grace period too.
 */
import { KurentoError, type JsonObject, type RpcNotification } from '@kurento-ts/protocol';
import { newOpaqueId } from '../support/ids.js';
import { createLogger } from '../support/logger.js';
import type { Client } from './clients.js';

const log = createLogger('kms:sessions');

/** The client side of a session: where its notifications go. */
export interface Connection {
  /** The session this connection speaks for, once it has one. */
  session: Session | undefined;
  /** Who the connection is charged to (its address, and its token when tokens tell clients apart). */
  readonly clients: readonly Client[];
  /** Sends a notification's text. */
  notify(text: string): void;
}

interface Subscription {
  readonly session: Session;
  readonly objectId: string;
  readonly type: string;
}

export class Session {
  /** Ids of objects this session created or took a reference to. */
  readonly objects = new Set<string>();
  /** Its `create` requests still running (they count against maxObjectsPerSession). */
  creating = 0;
  /** This session's subscriptions by id. */
  readonly subscriptions = new Map<string, Subscription>();
  /** The live connection, if any. */
  connection: Connection | undefined;
  /** Runs the release when the client stays away. */
  graceTimer: NodeJS.Timeout | undefined;
  /** When the connection went away (performance.now()), while it is away. */
  detachedAt = 0;

  /** @param clients who the session counts against: the clients of the connection that opened it */
  constructor(
    readonly id: string,
    readonly clients: readonly Client[],
  ) {}
}

export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  /** Subscriptions per object id, for event delivery. */
  private readonly byObject = new Map<string, Map<string, Subscription>>();
  /** Sessions holding each object id. */
  private readonly owners = new Map<string, Set<Session>>();
  /** Sessions in their grace period, in the order their connections went away (oldest first). */
  private readonly away = new Set<Session>();

  /**
   * @param graceMs how long a disconnected session keeps its objects
   * @param release releases an object by id; settles when it is released
   * @param abandoned hears each session whose connection went away
   */
  constructor(
    private readonly graceMs: number,
    private readonly release: (objectId: string) => Promise<void>,
    private readonly abandoned: (session: Session) => void = () => undefined,
  ) {}

  /** Ids of live sessions. */
  sessionIds(): string[] {
    return [...this.sessions.keys()];
  }

  /** Number of live sessions, connected or in their grace period. */
  get size(): number {
    return this.sessions.size;
  }

  /** Sessions in their grace period, oldest first. */
  inGrace(): IterableIterator<Session> {
    return this.away.values();
  }

  /** The session with this id, if it lives. */
  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  /** Opens a new session for a connection. */
  open(connection: Connection): Session {
    const session = new Session(newOpaqueId(), connection.clients);
    for (const client of session.clients) client.sessions++;
    this.sessions.set(session.id, session);
    this.attach(session, connection);
    return session;
  }

  /** Binds a session to a connection (a resume), taking it from any other connection. */
  attach(session: Session, connection: Connection): void {
    if (session.graceTimer) clearTimeout(session.graceTimer);
    session.graceTimer = undefined;
    this.away.delete(session);
    session.detachedAt = 0;
    if (session.connection && session.connection !== connection) session.connection.session = undefined;
    if (connection.session && connection.session !== session) this.detach(connection);
    session.connection = connection;
    connection.session = session;
  }

  /** The connection went away: start the grace period. */
  detach(connection: Connection): void {
    const session = connection.session;
    connection.session = undefined;
    if (!session || session.connection !== connection) return;
    session.connection = undefined;
    session.detachedAt = performance.now();
    this.away.add(session);
    session.graceTimer = setTimeout(() => {
      log.info(`[${session.id}] session expired after ${this.graceMs} ms without a connection`);
      void this.close(session);
    }, this.graceMs);
    session.graceTimer.unref();
    this.abandoned(session);
  }

  /**
   * Ends a session: drops its subscriptions and releases objects no other session holds;
   * settles when they are released. Closing it again does nothing.
   */
  async close(session: Session): Promise<void> {
    this.away.delete(session);
    if (this.sessions.get(session.id) !== session) return;
    if (session.graceTimer) clearTimeout(session.graceTimer);
    if (session.connection) session.connection.session = undefined;
    this.sessions.delete(session.id);
    for (const client of session.clients) {
      client.sessions--;
      client.settle();
    }
    for (const id of [...session.subscriptions.keys()]) this.unsubscribe(session, id);
    const releases: Promise<void>[] = [];
    for (const objectId of [...session.objects]) {
      this.unref(session, objectId);
      if (!this.owners.has(objectId)) releases.push(this.release(objectId));
    }
    await Promise.all(releases);
  }

  /** Records that a session holds an object. */
  ref(session: Session, objectId: string): void {
    session.objects.add(objectId);
    let set = this.owners.get(objectId);
    if (!set) this.owners.set(objectId, (set = new Set()));
    set.add(session);
  }

  /** Records that a session no longer holds an object. */
  unref(session: Session, objectId: string): void {
    session.objects.delete(objectId);
    const set = this.owners.get(objectId);
    set?.delete(session);
    if (set?.size === 0) this.owners.delete(objectId);
  }

  /** Subscribes a session to an object's events of one type; returns the subscription id. */
  subscribe(session: Session, objectId: string, type: string): string {
    const id = newOpaqueId();
    const subscription: Subscription = { session, objectId, type };
    session.subscriptions.set(id, subscription);
    let map = this.byObject.get(objectId);
    if (!map) this.byObject.set(objectId, (map = new Map()));
    map.set(id, subscription);
    return id;
  }

  /** Removes a subscription of this session. */
  unsubscribe(session: Session, id: string): void {
    const subscription = session.subscriptions.get(id);
    if (!subscription) throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `Subscription '${id}' not found`);
    session.subscriptions.delete(id);
    const map = this.byObject.get(subscription.objectId);
    map?.delete(id);
    if (map?.size === 0) this.byObject.delete(subscription.objectId);
  }

  /** Delivers an event to every subscriber of its object and type. */
  deliver(objectId: string, type: string, data: JsonObject): void {
    const map = this.byObject.get(objectId);
    if (!map) return;
    let text: string | undefined;
    for (const subscription of map.values()) {
      if (subscription.type !== type || !subscription.session.connection) continue;
      const notification: RpcNotification = { jsonrpc: '2.0', method: 'onEvent', params: { value: { data, object: objectId, type } } };
      text ??= JSON.stringify(notification);
      subscription.session.connection.notify(text);
    }
  }

  /** Forgets a released object everywhere. */
  forget(objectId: string): void {
    const map = this.byObject.get(objectId);
    if (map) for (const s of map.values()) for (const [id, sub] of s.session.subscriptions) if (sub.objectId === objectId) s.session.subscriptions.delete(id);
    this.byObject.delete(objectId);
    for (const session of this.owners.get(objectId) ?? []) session.objects.delete(objectId);
    this.owners.delete(objectId);
  }

  /** Ends every session (server shutdown). */
  closeAll(): void {
    for (const session of [...this.sessions.values()]) void this.close(session);
  }
}
