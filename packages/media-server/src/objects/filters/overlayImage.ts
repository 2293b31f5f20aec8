import { KurentoError } from '@kurento-ts/protocol';
import { MediaUriError, MediaUriPolicy } from '../../media/index.js';
import type { ObjectContext } from '../ObjectContext.js';
import { requestError } from './Filter.js';

/** The bytes of an overlay image URI: a file inside the media roots, or an allowed http(s) URL. */
export async function loadOverlayImage(context: ObjectContext, uri: string): Promise<Buffer> {
  let target;
  try {
    target = new MediaUriPolicy({ mediaRoots: context.config.mediaRoots, httpAllowList: context.config.httpAllowList }).resolve(uri);
  } catch (e) {
    if (e instanceof MediaUriError) throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `uri: ${e.message}`);
    throw e;
  }
  if (target.kind === 'rtsp') throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', 'uri: an overlay image comes from a file:// or http(s):// URI, not rtsp://');
  try {
    return await context.processing.loadImage(target.kind === 'file' ? { path: target.path } : { url: target.url.toString() });
  } catch (e) {
    throw requestError(e);
  }
}
