/**
 * The recorder page (Kurento's hello-world-recording): Start sends the camera in a sendrecv peer
 * (what comes back is the loopback) while the server records the chosen kinds; Stop finishes the
 * recording; Play receives it in a recvonly peer until playEnd; Stop while playing sends
 * stopPlay. The signalling is Kurento's tutorial's, on the `/recording` WebSocket; the WebRTC
 * side is @kurento-ts/browser's WebRtcPeer (promise form).
 */
import { WebRtcPeer } from '@kurento-ts/browser';
import { byId, describeError, hideError, LocalCandidates, MessageLog, PageSocket, showError } from '@kurento-ts/tutorial-kit/page';
import { modes, type BrowserMessage, type Mode, type ServerMessage } from '../src/messages.js';

const videoInput = byId('videoInput', HTMLVideoElement);
const videoOutput = byId('videoOutput', HTMLVideoElement);
const startButton = byId('start', HTMLButtonElement);
const stopButton = byId('stop', HTMLButtonElement);
const playButton = byId('play', HTMLButtonElement);
const modeBox = byId('modes', HTMLFieldSetElement);
const statusLine = byId('status', HTMLElement);
const errorBox = byId('error', HTMLElement);
const fileLine = byId('file-line', HTMLElement);
const fileName = byId('file', HTMLElement);
const log = new MessageLog(byId('console', HTMLElement));

type State = 'idle' | 'starting' | 'recording' | 'stopping' | 'recorded' | 'starting-play' | 'playing';

const STATUS: Record<State, string> = {
  idle: 'Choose what to record and press Start.',
  starting: 'Connecting…',
  recording: 'Recording: the right-hand video comes back from the media server while it records.',
  stopping: 'Finishing the recording…',
  recorded: 'Recorded: press Play to watch it, or Start to record again.',
  'starting-play': 'Connecting to the player…',
  playing: 'Playing the recording.',
};

let state: State = 'idle';
let peer: WebRtcPeer | undefined;
/** Whether the server holds a finished recording of this page. */
let recorded = false;
/** Bumped by every start, play and stop: a start overtaken by them gives up. */
let generation = 0;

const socket = new PageSocket<ServerMessage, BrowserMessage>('/recording', {
  message: onMessage,
  unreadable: () => showError(errorBox, 'The application server sent something unreadable.'),
  closed: () => {
    if (state === 'idle' || state === 'recorded') return;
    showError(errorBox, 'Lost the connection to the application server.');
    recorded = false;
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
  const settled = next === 'idle' || next === 'recorded';
  startButton.disabled = modeBox.disabled = !settled;
  playButton.disabled = next !== 'recorded';
  stopButton.disabled = settled || next === 'stopping';
  // The loopback would echo your voice; the recording is there to be heard.
  videoOutput.muted = next !== 'playing' && next !== 'starting-play';
  statusLine.textContent = STATUS[next];
}

function onMessage(message: ServerMessage): void {
  log.received(message);
  switch (message.id) {
    case 'startResponse':
      fileName.textContent = message.uri;
      fileLine.hidden = false;
      answer('starting', message.sdpAnswer);
      return;
    case 'playResponse':
      if (answer('starting-play', message.sdpAnswer)) setState('playing');
      return;
    case 'recording':
      if (state === 'starting') setState('recording');
      return;
    case 'paused':
      return log.note('The recorder paused');
    case 'stopped':
      recorded = true;
      if (state === 'stopping') setState('recorded');
      return;
    case 'playEnd':
      if (state === 'playing' || state === 'starting-play') dispose();
      return;
    case 'iceCandidate':
      // May come before the answer: the peer queues it until then.
      peer?.addIceCandidate(message.candidate).catch(() => undefined);
      return;
    case 'error':
      showError(errorBox, message.message);
      // A start, play or stop the server could not do: back to where the page was.
      if (state === 'starting' || state === 'starting-play' || state === 'stopping') dispose();
      return;
  }
}

/** Applies the server's answer if the page still waits for it in `expected`. */
function answer(expected: State, sdpAnswer: string): boolean {
  if (state !== expected || !peer) return false;
  peer.processAnswer(sdpAnswer).catch((e: unknown) => {
    showError(errorBox, `Could not apply the answer: ${describeError(e)}`);
    stop();
  });
  return true;
}

function chosenMode(): Mode {
  const checked = document.querySelector<HTMLInputElement>('input[name="mode"]:checked')?.value;
  return modes.find((m) => m === checked) ?? 'audio-video';
}

/** Start (record) or Play: a peer, its offer sent in `message`, its candidates after it. */
async function begin(next: 'starting' | 'starting-play'): Promise<void> {
  const run = ++generation;
  hideError(errorBox);
  setState(next);
  const candidates = new LocalCandidates((candidate) => send({ id: 'onIceCandidate', candidate }));
  try {
    await socket.open();
    const onicecandidate = (c: RTCIceCandidate): void => candidates.add(c);
    const created = next === 'starting'
      ? await WebRtcPeer.create('sendrecv', { localVideo: videoInput, remoteVideo: videoOutput, onicecandidate })
      : await WebRtcPeer.create('recvonly', { remoteVideo: videoOutput, onicecandidate });
    if (run !== generation) return created.dispose();
    peer = created;
    const sdpOffer = await created.generateOffer();
    if (run !== generation) return;
    if (next === 'starting') {
      recorded = false;
      send({ id: 'start', sdpOffer, mode: chosenMode() });
    } else {
      send({ id: 'play', sdpOffer });
    }
    candidates.flush();
  } catch (e) {
    if (run !== generation) return;
    showError(errorBox, describeError(e));
    dispose(); // nothing was sent: the server has nothing to end
  }
}

/** Ends it here: the camera let go, the peer closed; the page waits for `stopped` after a recording. */
function dispose(after: State = recorded ? 'recorded' : 'idle'): void {
  generation++;
  if (peer) {
    peer.dispose();
    peer = undefined;
    log.note('Stopped');
  }
  setState(after);
}

/** Stop: ends the recording (the server finishes the file and says `stopped`) or the playback. */
function stop(): void {
  const recording = state === 'starting' || state === 'recording';
  send({ id: recording ? 'stop' : 'stopPlay' });
  dispose(recording ? 'stopping' : undefined);
}

startButton.addEventListener('click', () => void begin('starting'));
playButton.addEventListener('click', () => void begin('starting-play'));
stopButton.addEventListener('click', stop);
byId('clear-log', HTMLButtonElement).addEventListener('click', () => log.clear());
setState('idle');
