/**
 * What Magic Mirror puts in the loop: WebRtcEndpoint → FaceOverlayFilter (the hat over each
 * face) → the same WebRtcEndpoint. The filter needs the media server's GStreamer: where it is
 * missing, `create` or the filter's Error event says what to install, and the page is told.
 */
import type { SessionWiring } from '@kurento-ts/tutorial-kit';
import { HAT_PLACEMENT } from './hat.js';
import type { ServerMessage } from './messages.js';

/** The wiring of a mirror whose hat the media server loads from `hatUri`. */
export function mirrorWiring(hatUri: () => Promise<string>): SessionWiring<ServerMessage> {
  return {
    wire: async ({ pipeline, endpoint, fail }) => {
      const filter = await pipeline.create('FaceOverlayFilter');
      // The filter's processing runs apart from the media server: if it fails (a plugin missing, a crash), the mirror ends.
      await Promise.all([
        filter.on('Error', ({ description }) => fail(description)),
        pipeline.on('Error', ({ description }) => fail(description)),
      ]);
      await filter.setOverlayedImage(await hatUri(), HAT_PLACEMENT.offsetXPercent, HAT_PLACEMENT.offsetYPercent, HAT_PLACEMENT.widthPercent, HAT_PLACEMENT.heightPercent);
      await endpoint.connect(filter);
      await filter.connect(endpoint);
    },
  };
}
