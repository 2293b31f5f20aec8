/**
 * The Magic Mirror page: the kit's loopback page on the `/magicmirror` WebSocket. An error
 * after the answer (the filter failed: GStreamer missing, say) ends the mirror, as the server
 * has released it.
 */
import { LoopbackPage } from '@kurento-ts/tutorial-kit/page';
import type { ServerMessage } from '../src/messages.js';

const page = new LoopbackPage<ServerMessage>({
  path: '/magicmirror',
  status: {
    idle: 'Stopped. Press Start to go again.',
    connecting: 'Connecting…',
    playing: 'Playing: the right-hand video has a hat on every face the media server finds.',
  },
  errorsEnd: true,
});
page.status = 'Press Start, and allow the camera.';
