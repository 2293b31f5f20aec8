import type { EventName } from '@kurento-ts/protocol';
import type { ServerConfig } from '../config/config.js';
import type { TranscoderProvider } from '../graph/edges.js';
import type { SocketBudget } from '../limits/SocketBudget.js';
import type { HttpUploadServer } from '../media/index.js';
import type { ProcessingBackend } from '../processing/index.js';
import type { MediaObject } from './MediaObject.js';
import type { ElementView } from './observation.js';

/** What a media object needs from the server around it (implemented by the registry). */
export interface ObjectContext {
  readonly config: ServerConfig;
  /** The server-wide budget of media UDP sockets, which transports lease from before they open sockets. */
  readonly sockets: SocketBudget;
  /** The GStreamer processing backend of this thread (filters, transcoders), made at first use. */
  readonly processing: ProcessingBackend;
  /** The HTTP server of this thread that HttpPostEndpoints take uploads on, listening while one is registered. */
  readonly uploads: HttpUploadServer;
  /** Where edges find transcoders, when the server has a processing backend. */
  readonly transcoders?: TranscoderProvider;
  /** Makes the object reachable by id. */
  register(object: MediaObject): void;
  /** An element being released: its final counters, so the host's totals keep counting what it carried. */
  retire(element: ElementView): void;
  /** Forgets a released object. */
  unregister(object: MediaObject): void;
  /** Looks an object up by id. */
  resolve(id: string): MediaObject | undefined;
  /** Delivers an event raised by an object (its own fields, in server values) to its subscribers. */
  raise(object: MediaObject, type: EventName, fields: Readonly<Record<string, unknown>>): void;
}
