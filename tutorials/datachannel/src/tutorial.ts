/**
 * The data-channel tutorial as the kit starts it: a loopback session per page whose
 * WebRtcEndpoint has data channels (`useDataChannels`) and is connected to itself, so that what
 * the page sends on its channel comes back on it, with the video.
 */
import { fileURLToPath } from 'node:url';
import { EndpointSession, LOOPBACK_DIALECT, type SessionWiring, type Tutorial } from '@kurento-ts/tutorial-kit';
import type { ServerMessage } from './messages.js';

const wiring: SessionWiring<ServerMessage> = {
  endpointParams: { useDataChannels: true },
  wire: async ({ pipeline, endpoint, fail }) => {
    await Promise.all([
      pipeline.on('Error', ({ description }) => fail(description)),
      endpoint.connect(endpoint), // audio, video and data: all three come back
    ]);
  },
};

/** The data-channel tutorial, for runTutorial/startTutorial. */
export const datachannel: Tutorial<ServerMessage> = {
  title: 'Data Channel',
  name: 'datachannel',
  envPrefix: 'DATACHANNEL',
  command: 'npm start -w tutorials/datachannel',
  summary: 'Open the printed https:// address, press Start, then type text and press Send: it comes back through the media server.',
  hint: 'press Start',
  signallingPath: '/datachannel',
  publicDir: fileURLToPath(new URL('../public/', import.meta.url)),
  signalling: (kurento, onFault) => ({ open: (send) => new EndpointSession<ServerMessage>(kurento, send, wiring, LOOPBACK_DIALECT, onFault) }),
};
