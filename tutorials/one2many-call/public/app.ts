/**
 * The one-to-many call page: Presenter sends the camera (a sendonly peer, shown in #video);
 * Viewer receives the presenter's (a recvonly peer); Stop ends either. The signalling is
 * Kurento's tutorial's, on the `/one2many` WebSocket; the WebRTC side is @kurento-ts/browser's
 * WebRtcPeer (promise form).
 */
import { WebRtcPeer, type PeerMode } from '@kurento-ts/browser';
import { byId, describeError, hideError, LocalCandidates, MessageLog, PageSocket, showError } from '@kurento-ts/tutorial-kit/page';
import type { BrowserMessage, Response, ServerMessage } from '../src/messages.js';

const video = byId('video', HTMLVideoElement);
const presenterButton = byId('call', HTMLButtonElement);
const viewerButton = byId('viewer', HTMLButtonElement);
const stopButton = byId('terminate', HTMLButtonElement);
const statusLine = byId('status', HTMLElement);
const errorBox = byId('error', HTMLElement);
const log = new MessageLog(byId('console', HTMLElement));

type Role = 'presenter' | 'viewer';
type State = 'idle' | `starting-${Role}` | Role;

const STATUS: Record<State, string> = {
  idle: 'Press Presenter to broadcast your camera, or Viewer to watch.',
  'starting-presenter': 'Starting to present…',
  'starting-viewer': 'Connecting to the presenter…',
  presenter: 'Presenting: viewers see your camera.',
  viewer: 'Watching the presenter.',
};

let state: State = 'idle';
let peer: WebRtcPeer | undefined;
/** Bumped by every start and stop: a start overtaken by them gives up. */
let generation = 0;

const socket = new PageSocket<ServerMessage, BrowserMessage>('/one2many', {
  message: onMessage,
  unreadable: () => showError(errorBox, 'The application server sent something unreadable.'),
  closed: () => {
    if (state === 'idle') return;
    showError(errorBox, 'Lost the connection to the application server.');
    dispose();
  },
});

function send(message: BrowserMessage): void {
  log.sent(message);
  socket.send(message);
}

function setState(next: State): void {
  state = next;
  document.body.dataset['state'] = next;
  presenterButton.disabled = viewerButton.disabled = next !== 'idle';
  stopButton.disabled = next === 'idle';
  statusLine.textContent = STATUS[next];
}

function onMessage(message: ServerMessage): void {
  log.received(message);
  switch (message.id) {
    case 'presenterResponse':
      return answered('presenter', message);
    case 'viewerResponse':
      return answered('viewer', message);
    case 'stopCommunication':
      showError(errorBox, message.message);
      return dispose();
    case 'iceCandidate':
      // May come before the answer: the peer queues it until then.
      peer?.addIceCandidate(message.candidate).catch(() => undefined);
      return;
    case 'error':
      return showError(errorBox, message.message);
  }
}

function answered(role: Role, response: Response): void {
  if (state !== `starting-${role}` || !peer) return;
  if (response.response === 'rejected') {
    showError(errorBox, response.message);
    return dispose();
  }
  setState(role);
  peer.processAnswer(response.sdpAnswer).catch((e: unknown) => {
    showError(errorBox, `Could not apply the answer: ${describeError(e)}`);
    stop();
  });
}

async function start(role: Role): Promise<void> {
  const run = ++generation;
  hideError(errorBox);
  setState(`starting-${role}`);
  // Local candidates wait until the offer is sent: the server needs it first.
  const candidates = new LocalCandidates((candidate) => send({ id: 'onIceCandidate', candidate }));
  const mode: PeerMode = role === 'presenter' ? 'sendonly' : 'recvonly';
  try {
    await socket.open();
    const options = role === 'presenter' ? { localVideo: video } : { remoteVideo: video };
    const created = await WebRtcPeer.create(mode, { ...options, onicecandidate: (c) => candidates.add(c) });
    if (run !== generation) return created.dispose();
    peer = created;
    const sdpOffer = await created.generateOffer();
    if (run !== generation) return;
    send({ id: role, sdpOffer });
    candidates.flush();
  } catch (e) {
    if (run !== generation) return;
    showError(errorBox, describeError(e));
    stop();
  }
}

/** Ends it here: the camera let go, the peer closed. */
function dispose(): void {
  generation++;
  if (peer) {
    peer.dispose();
    peer = undefined;
    log.note('Stopped');
  }
  setState('idle');
}

/** Stop: ends it here and on the server (a presenter's viewers are told). */
function stop(): void {
  send({ id: 'stop' });
  dispose();
}

presenterButton.addEventListener('click', () => void start('presenter'));
viewerButton.addEventListener('click', () => void start('viewer'));
stopButton.addEventListener('click', stop);
byId('clear-log', HTMLButtonElement).addEventListener('click', () => log.clear());
setState('idle');
