/**
 * Kurento's UriEndpoint: an endpoint that reads or writes a URI (RecorderEndpoint,
 * PlayerEndpoint). The URI is a security boundary: it is resolved at creation against the
 * configured media roots and http allow-list (media/uris.ts), so a client never reaches a server
 * file outside them. The state (STOP, START, PAUSE) and its event are kept here.
 */
import { KurentoError, type ClassName, type EnumValue } from '@kurento-ts/protocol';
import { MediaUriError, MediaUriPolicy, type ResolvedMediaUri } from '../../media/index.js';
import type { Remote } from '../contract.js';
import { MediaElement } from '../MediaElement.js';
import type { MediaPipeline } from '../MediaPipeline.js';
import type { ObjectContext } from '../ObjectContext.js';

/** Kurento's UriEndpointState. */
export type UriState = EnumValue<'UriEndpointState'>;

export abstract class UriEndpoint extends MediaElement implements Remote<'UriEndpoint'> {
  /** Where the URI leads, as the policy resolved it. */
  protected target: ResolvedMediaUri;
  protected state: UriState = 'STOP';
  private uri: string;

  protected constructor(context: ObjectContext, className: ClassName, pipeline: MediaPipeline, uri: string) {
    super(context, className, pipeline, 'terminates');
    this.uri = uri;
    this.target = resolveUri(context, uri);
  }

  getUri(): string {
    return this.uri;
  }

  /** A new URI while stopped; refused while the endpoint uses the current one. */
  setUri(uri: string): void {
    if (this.state !== 'STOP') throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `The URI can change only while stopped (now ${this.state})`);
    this.target = resolveUri(this.context, uri);
    this.uri = uri;
  }

  getState(): UriState {
    return this.state;
  }

  abstract pause(): void | Promise<void>;
  abstract stop(): void | Promise<void>;

  /** Moves to `state`, raising UriEndpointStateChanged when it changes. */
  protected setState(state: UriState): void {
    if (state === this.state) return;
    this.state = state;
    this.raise('UriEndpointStateChanged', { state });
  }
}

/** Resolves a URI by the server's media rules; a URI that breaks one is an illegal parameter naming the rule. */
function resolveUri(context: ObjectContext, uri: string): ResolvedMediaUri {
  try {
    return new MediaUriPolicy({ mediaRoots: context.config.mediaRoots, httpAllowList: context.config.httpAllowList }).resolve(uri);
  } catch (e) {
    if (e instanceof MediaUriError) throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `uri: ${e.message}`);
    throw e;
  }
}
