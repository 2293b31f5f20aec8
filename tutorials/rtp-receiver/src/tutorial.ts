/** The RTP receiver as the kit starts it: its names, its page, and a receiver session per page. */
import { fileURLToPath } from 'node:url';
import { EndpointSession, type Tutorial } from '@kurento-ts/tutorial-kit';
import type { ServerMessage } from './messages.js';
import { RECEIVER_DIALECT, RECEIVER_WIRING, type ReceiverParams } from './receiver.js';

/** The RTP receiver, for runTutorial/startTutorial. */
export const rtpReceiver: Tutorial<ServerMessage> = {
  title: 'RTP Receiver',
  name: 'rtp-receiver',
  envPrefix: 'RTP_RECEIVER',
  command: 'npm start -w tutorials/rtp-receiver',
  summary: 'Open the printed https:// address and press Start; then run the ffmpeg or gst-launch-1.0 command the page shows: the page plays what it sends.',
  hint: 'press Start, then run the command the page shows',
  signallingPath: '/rtpreceiver',
  publicDir: fileURLToPath(new URL('../public/', import.meta.url)),
  signalling: (kurento, onFault) => ({ open: (send) => new EndpointSession<ServerMessage, ReceiverParams>(kurento, send, RECEIVER_WIRING, RECEIVER_DIALECT, onFault) }),
};
