/**
 * The root of the remote class tree. Holds what every Kurento object has (id, name, tags,
 * parent, creation time) and implements MediaObject's remote interface, raises events typed
 * by the schema, and runs the release cascade: releasing an object releases its children
 * first, then frees its own resources.
 */
import { KurentoError, type ClassName, type EventName } from '@kurento-ts/protocol';
import type { Args, ComplexServerValue, EventFields, Remote } from './contract.js';
import type { ObjectContext } from './ObjectContext.js';
import type { MediaPipeline } from './MediaPipeline.js';

/** The arguments of `raise`: the event's own fields, optional when it has none. */
type RaiseArgs<E extends EventName> = {} extends EventFields<E> ? [fields?: EventFields<E>] : [fields: EventFields<E>];

export abstract class MediaObject implements Remote<'MediaObject'> {
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

  protected constructor(context: ObjectContext, className: ClassName, id: string, parent?: MediaObject) {
    this.context = context;
    this.className = className;
    this.id = id;
    this.name = id;
    this.parent = parent;
    parent?.children.add(this);
  }

  /** The pipeline this object belongs to, if any. */
  abstract get mediaPipeline(): MediaPipeline | undefined;

  // ---- remote interface: MediaObject ----

  getMediaPipeline(): MediaPipeline | undefined {
    return this.mediaPipeline;
  }

  getParent(): MediaObject | undefined {
    return this.parent;
  }

  getId(): string {
    return this.id;
  }

  getChildren(): MediaObject[] {
    return [...this.children];
  }

  getName(): string {
    return this.name;
  }

  setName(name: string): void {
    this.name = name;
  }

  getSendTagsInEvents(): boolean {
    return this.sendTagsInEvents;
  }

  setSendTagsInEvents(value: boolean): void {
    this.sendTagsInEvents = value;
  }

  getCreationTime(): number {
    return this.creationTime;
  }

  addTag({ key, value }: Args<'MediaObject', 'addTag'>): void {
    this.tags.set(key, value);
  }

  removeTag({ key }: Args<'MediaObject', 'removeTag'>): void {
    this.tags.delete(key);
  }

  getTag({ key }: Args<'MediaObject', 'getTag'>): string {
    const value = this.tags.get(key);
    if (value === undefined) throw new KurentoError('MEDIA_OBJECT_TAG_KEY_NOT_FOUND', `Tag key not found: ${key}`);
    return value;
  }

  getTags(): ComplexServerValue<'Tag'>[] {
    return [...this.tags].map(([key, value]) => ({ key, value }));
  }

  // ---- events and lifecycle ----

  /** Raises a Kurento event from this object; the registry adds the fields every event carries. */
  raise<E extends EventName>(type: E, ...[fields]: RaiseArgs<E>): void {
    if (this.released) return;
    this.context.raise(this, type, fields ?? {});
  }

  /** The tags events carry (none unless sendTagsInEvents). */
  eventTags(): ComplexServerValue<'Tag'>[] {
    return this.sendTagsInEvents ? this.getTags() : [];
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
}
