/**
 * The Hello World page: Start asks for the camera, sends the offer over the `/helloworld`
 * WebSocket, applies the answer and trades ICE candidates; Stop (or an error) ends it. The
 * WebRTC side is @kurento-ts/browser's WebRtcPeer (kurento-utils' API, promise form).
 */
import { WebRtcPeer } from '@kurento-ts/browser';
import { byId, describeError, hideError, LocalCandidates, PageSocket, showError as show } from '@kurento-ts/tutorial-kit/page';
import type { BrowserMessage, ServerMessage } from '../src/messages.js';
import { EventLog } from './eventLog.js';
import { StatsPanel } from './stats.js';

const videoInput = byId('videoInput', HTMLVideoElement);
const videoOutput = byId('videoOutput', HTMLVideoElement);
const startButton = byId('start', HTMLButtonElement);
const stopButton = byId('stop', HTMLButtonElement);
const statusLine = byId('status', HTMLElement);
const errorBox = byId('error', HTMLElement);
const log = new EventLog(byId('events', HTMLOListElement));
const stats = new StatsPanel({
  resolution: byId('stat-resolution', HTMLElement),
  framerate: byId('stat-framerate', HTMLElement),
  bitrateIn: byId('stat-bitrate-in', HTMLElement),
  bitrateOut: byId('stat-bitrate-out', HTMLElement),
  rtt: byId('stat-rtt', HTMLElement),
});

type State = 'idle' | 'connecting' | 'playing';

const STATUS: Record<State, string> = {
  idle: 'Stopped. Press Start to go again.',
  connecting: 'Connecting…',
  playing: 'Playing: the right-hand video comes back from the media server.',
};

let state: State = 'idle';
let peer: WebRtcPeer | undefined;
/** Bumped by every Start and Stop: a start overtaken by them gives up. */
let generation = 0;
/** Whether the server answered this start: an error before that means the start failed. */
let answered = false;
const socket = new PageSocket<ServerMessage, BrowserMessage>('/helloworld', {
  message: onMessage,
  unreadable: () => showError('The application server sent something unreadable.'),
  closed: () => {
    if (state !== 'idle') {
      showError('Lost the connection to the application server.');
      stop();
    }
  },
});

function setState(next: State): void {
  state = next;
  document.body.dataset['state'] = next;
  startButton.disabled = next !== 'idle';
  stopButton.disabled = next === 'idle';
  statusLine.textContent = STATUS[next];
}

function showError(message: string): void {
  show(errorBox, message);
}

function send(message: BrowserMessage): void {
  socket.send(message);
}

function onMessage(message: ServerMessage): void {
  switch (message.id) {
    case 'startResponse':
      answered = true;
      log.note('Answer received', 'applying the media server\'s SDP answer');
      peer?.processAnswer(message.sdpAnswer).catch((e: unknown) => fail(`Could not apply the answer: ${String(e)}`));
      return;
    case 'iceCandidate':
      // May come before the answer: the peer queues it until then.
      peer?.addIceCandidate(message.candidate).catch(() => undefined);
      return;
    case 'event':
      log.event(message.name, message.data);
      return;
    case 'error':
      if (state !== 'idle' && !answered) fail(message.message);
      else showError(message.message);
      return;
  }
}

function fail(message: string): void {
  showError(message);
  stop();
}

async function start(): Promise<void> {
  const run = ++generation;
  hideError(errorBox);
  setState('connecting');
  answered = false;
  // Local candidates wait until the offer is sent: the server starts its session with it.
  const candidates = new LocalCandidates((candidate) => send({ id: 'onIceCandidate', candidate }));
  log.note('Start', 'asking for the camera');
  try {
    await socket.open();
    const created = await WebRtcPeer.create('sendrecv', { localVideo: videoInput, remoteVideo: videoOutput, onicecandidate: (c) => candidates.add(c) });
    if (run !== generation) return created.dispose();
    peer = created;
    const sdpOffer = await created.generateOffer();
    if (run !== generation) return;
    send({ id: 'start', sdpOffer });
    log.note('Offer sent', `${sdpOffer.length} bytes of SDP`);
    candidates.flush();
    stats.start(created.peerConnection);
  } catch (e) {
    if (run !== generation) return;
    fail(describeError(e));
  }
}

/** Ends the session here and on the server (a stop for a session it already ended is harmless). */
function stop(): void {
  generation++;
  stats.stop();
  if (peer) {
    peer.dispose();
    peer = undefined;
    log.note('Stopped');
  }
  send({ id: 'stop' });
  setState('idle');
}

videoOutput.addEventListener('playing', () => {
  if (state === 'connecting') setState('playing');
});
startButton.addEventListener('click', () => void start());
stopButton.addEventListener('click', () => stop());
byId('clear-log', HTMLButtonElement).addEventListener('click', () => log.clear());
setState('idle');
statusLine.textContent = 'Press Start, and allow the camera.';
