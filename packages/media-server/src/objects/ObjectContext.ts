import type { JsonObject } from '@kurento-ts/protocol';
import type { ServerConfig } from '../config/config.js';
import type { MediaObject } from './MediaObject.js';

/** What a media object needs from the server around it (implemented by the registry). */
export interface ObjectContext {
  readonly config: ServerConfig;
  /** Makes the object reachable by id. */
  register(object: MediaObject): void;
  /** Forgets a released object. */
  unregister(object: MediaObject): void;
  /** Looks an object up by id. */
  resolve(id: string): MediaObject | undefined;
  /** Delivers an event raised by an object to its subscribers. */
  raise(object: MediaObject, type: string, data: JsonObject): void;
}
