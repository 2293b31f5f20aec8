import type { MediaType } from '@kurento-ts/protocol';
import type { MediaElement } from '../objects/MediaElement.js';

/** One directed link of one media type between two elements (Kurento's ElementConnectionData). */
export interface ElementConnection {
  readonly source: MediaElement;
  readonly sink: MediaElement;
  readonly type: MediaType;
  readonly sourceDescription: string;
  readonly sinkDescription: string;
}

/** Whether a connection matches an optional media type and description filter. */
export function matches(c: ElementConnection, type: MediaType | undefined, description: string | undefined, side: 'source' | 'sink'): boolean {
  if (type !== undefined && c.type !== type) return false;
  const own = side === 'source' ? c.sourceDescription : c.sinkDescription;
  return description === undefined || own === description;
}
