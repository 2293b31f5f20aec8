/**
 * The root of the remote class tree. Holds what every Kurento object has (id, name, tags,
 * parent, creation time), the table of its remote operations and properties, and the release
 * cascade: releasing an object releases its children first, then frees its own resources.
 */
import { KurentoError, type ClassName, type JsonObject } from '@kurento-ts/protocol';
import type { ObjectContext } from './ObjectContext.js';
import type { MediaPipeline } from './MediaPipeline.js';

/** Validated operation arguments, by parameter name (remote objects already resolved). */
export type OperationParams = Readonly<Record<string, unknown>>;
/** The implementation of one remote operation. */
export type OperationHandler = (params: OperationParams) => unknown;

interface PropertyAccess {
  get: () => unknown;
  set?: (value: unknown) => void;
}

export abstract class MediaObject {
  /** Kurento-shaped id, e.g. `<uuid>_kurento.MediaPipeline`. */
  readonly id: string;
  /** The remote class this object is an instance of. */
  readonly className: ClassName;
  /** Seconds since the epoch when the object was created, as Kurento reports it. */
  readonly creationTime = Math.floor(Date.now() / 1000);
  /** The object that created this one (the pipeline for elements). */
  readonly parent: MediaObject | undefined;
  /** Objects created as children of this one; released with it. */
  readonly children = new Set<MediaObject>();
  /** Whether release() has run. */
  released = false;
  /** Free-form name; defaults to the id. */
  name: string;
  /** Whether events carry this object's tags. */
  sendTagsInEvents = false;
  /** Key-value tags set by the application. */
  protected readonly tags = new Map<string, string>();
  /** The server around this object. */
  protected readonly context: ObjectContext;
  /** Remote operations by name (methods; property accessors are in `properties`). */
  private readonly operations = new Map<string, OperationHandler>();
  /** Remote properties by name. */
  private readonly properties = new Map<string, PropertyAccess>();

  protected constructor(context: ObjectContext, className: ClassName, id: string, parent?: MediaObject) {
    this.context = context;
    this.className = className;
    this.id = id;
    this.name = id;
    this.parent = parent;
    parent?.children.add(this);
    this.defineBaseOperations();
  }

  /** The pipeline this object belongs to, if any. */
  abstract get mediaPipeline(): MediaPipeline | undefined;

  /** Declares a remote operation implemented by this object. */
  protected defineOperation(name: string, handler: OperationHandler): void {
    this.operations.set(name, handler);
  }

  /** Declares a remote property; without `set` it is read-only. */
  protected defineProperty(name: string, get: () => unknown, set?: (value: unknown) => void): void {
    this.properties.set(name, { get, set });
  }

  /** The handler of a remote operation, or undefined when this object has none. */
  operation(name: string): OperationHandler | undefined {
    return this.operations.get(name);
  }

  /** The accessors of a remote property, or undefined when this object has none. */
  property(name: string): PropertyAccess | undefined {
    return this.properties.get(name);
  }

  /** Raises a Kurento event from this object, with the fields every event carries. */
  raise(type: string, fields: JsonObject = {}): void {
    if (this.released) return;
    const tags = this.sendTagsInEvents ? [...this.tags].map(([key, value]) => ({ __module__: 'kurento', __type__: 'Tag', key, value })) : [];
    this.context.raise(this, type, { source: this.id, tags, timestampMillis: String(Date.now()), type, ...fields });
  }

  /** Releases children, then this object's own resources; safe to call twice. */
  release(): void {
    if (this.released) return;
    for (const child of [...this.children]) child.release();
    this.released = true;
    try {
      this.dispose();
    } finally {
      this.parent?.children.delete(this);
      this.context.unregister(this);
    }
  }

  /** Frees what this object holds (sockets, timers, connections). Runs once. */
  protected dispose(): void {
    // nothing by default
  }

  private defineBaseOperations(): void {
    this.defineProperty('id', () => this.id);
    this.defineProperty('name', () => this.name, (v) => (this.name = v as string));
    this.defineProperty('sendTagsInEvents', () => this.sendTagsInEvents, (v) => (this.sendTagsInEvents = v as boolean));
    this.defineProperty('creationTime', () => this.creationTime);
    this.defineProperty('parent', () => this.parent);
    this.defineProperty('mediaPipeline', () => this.mediaPipeline);
    this.defineProperty('children', () => [...this.children]);
    this.defineOperation('addTag', (p) => void this.tags.set(p['key'] as string, p['value'] as string));
    this.defineOperation('removeTag', (p) => void this.tags.delete(p['key'] as string));
    this.defineOperation('getTag', (p) => {
      const value = this.tags.get(p['key'] as string);
      if (value === undefined) throw new KurentoError('MEDIA_OBJECT_TAG_KEY_NOT_FOUND', `Tag key not found: ${String(p['key'])}`);
      return value;
    });
    this.defineOperation('getTags', () => [...this.tags].map(([key, value]) => ({ key, value })));
  }
}
