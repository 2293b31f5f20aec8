/**
 * The Hello World page: the kit's loopback page (Start, Stop, offer, answer, candidates, over
 * the `/helloworld` WebSocket, with @kurento-ts/browser's WebRtcPeer), with an event log and a
 * stats panel.
 */
import { byId, LoopbackPage } from '@kurento-ts/tutorial-kit/page';
import type { ServerMessage } from '../src/messages.js';
import { EventLog } from './eventLog.js';
import { StatsPanel } from './stats.js';

const log = new EventLog(byId('events', HTMLOListElement));
const stats = new StatsPanel({
  resolution: byId('stat-resolution', HTMLElement),
  framerate: byId('stat-framerate', HTMLElement),
  bitrateIn: byId('stat-bitrate-in', HTMLElement),
  bitrateOut: byId('stat-bitrate-out', HTMLElement),
  rtt: byId('stat-rtt', HTMLElement),
});

const page = new LoopbackPage<ServerMessage>({
  path: '/helloworld',
  status: {
    idle: 'Stopped. Press Start to go again.',
    connecting: 'Connecting…',
    playing: 'Playing: the right-hand video comes back from the media server.',
  },
  message: (message) => log.event(message.name, message.data),
  note: (what, detail) => log.note(what, detail),
  started: (peer) => stats.start(peer.peerConnection),
  stopped: () => stats.stop(),
});
page.status = 'Press Start, and allow the camera.';
byId('clear-log', HTMLButtonElement).addEventListener('click', () => log.clear());
