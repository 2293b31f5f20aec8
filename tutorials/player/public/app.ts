/**
 * The player page (Kurento's player tutorial): Start sends a recvonly offer with the typed URL;
 * the media server plays it into the page; Pause, Resume, Seek and Get position act on the
 * player; playEnd (or Stop) ends it. The signalling is Kurento's tutorial's, on the `/player`
 * WebSocket; the WebRTC side is @kurento-ts/browser's WebRtcPeer (promise form).
 */
import { WebRtcPeer } from '@kurento-ts/browser';
import { byId, describeError, hideError, LocalCandidates, MessageLog, PageSocket, showError } from '@kurento-ts/tutorial-kit/page';
import type { BrowserMessage, ServerMessage } from '../src/messages.js';

const video = byId('videoOutput', HTMLVideoElement);
const urlInput = byId('videourl', HTMLInputElement);
const seekInput = byId('seekPosition', HTMLInputElement);
const buttons = {
  start: byId('start', HTMLButtonElement),
  pause: byId('pause', HTMLButtonElement),
  resume: byId('resume', HTMLButtonElement),
  stop: byId('stop', HTMLButtonElement),
  doSeek: byId('doSeek', HTMLButtonElement),
  getPosition: byId('getPosition', HTMLButtonElement),
};
const info = {
  isSeekable: byId('isSeekable', HTMLElement),
  initSeek: byId('initSeek', HTMLElement),
  endSeek: byId('endSeek', HTMLElement),
  duration: byId('duration', HTMLElement),
};
const positionShown = byId('videoPosition', HTMLOutputElement);
const statusLine = byId('status', HTMLElement);
const errorBox = byId('error', HTMLElement);
const log = new MessageLog(byId('console', HTMLElement));

type State = 'idle' | 'starting' | 'playing' | 'paused';

const STATUS: Record<State, string> = {
  idle: 'Type the URL of a video and press Start.',
  starting: 'Connecting…',
  playing: 'Playing.',
  paused: 'Paused: press Resume to go on.',
};

let state: State = 'idle';
let peer: WebRtcPeer | undefined;
/** Whether the media can be seeked (videoInfo). */
let seekable = false;
/** Bumped by every start and stop: a start overtaken by them gives up. */
let generation = 0;

const socket = new PageSocket<ServerMessage, BrowserMessage>('/player', {
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
  const active = next === 'playing' || next === 'paused';
  buttons.start.disabled = urlInput.disabled = next !== 'idle';
  buttons.stop.disabled = next === 'idle';
  buttons.pause.disabled = next !== 'playing';
  buttons.resume.disabled = next !== 'paused';
  buttons.getPosition.disabled = !active;
  buttons.doSeek.disabled = !active || !seekable;
  statusLine.textContent = STATUS[next];
}

function onMessage(message: ServerMessage): void {
  log.received(message);
  switch (message.id) {
    case 'startResponse':
      if (state !== 'starting' || !peer) return;
      setState('playing');
      peer.processAnswer(message.sdpAnswer).catch((e: unknown) => {
        showError(errorBox, `Could not apply the answer: ${describeError(e)}`);
        stop();
      });
      return;
    case 'videoInfo':
      seekable = message.isSeekable;
      info.isSeekable.textContent = message.isSeekable ? 'yes' : 'no';
      info.initSeek.textContent = `${message.initSeekable} ms`;
      info.endSeek.textContent = `${message.endSeekable} ms`;
      info.duration.textContent = `${message.videoDuration} ms`;
      return setState(state);
    case 'position':
      positionShown.value = String(message.position);
      return;
    case 'seek':
      return showError(errorBox, message.message);
    case 'playEnd':
      log.note('The video ended');
      return dispose();
    case 'iceCandidate':
      peer?.addIceCandidate(message.candidate).catch(() => undefined);
      return;
    case 'error':
      showError(errorBox, message.message);
      if (state === 'starting') dispose();
      return;
  }
}

async function start(): Promise<void> {
  const run = ++generation;
  hideError(errorBox);
  seekable = false;
  for (const cell of Object.values(info)) cell.textContent = '–';
  positionShown.value = '–';
  setState('starting');
  const candidates = new LocalCandidates((candidate) => send({ id: 'onIceCandidate', candidate }));
  try {
    await socket.open();
    const created = await WebRtcPeer.create('recvonly', { remoteVideo: video, onicecandidate: (c) => candidates.add(c) });
    if (run !== generation) return created.dispose();
    peer = created;
    const sdpOffer = await created.generateOffer();
    if (run !== generation) return;
    send({ id: 'start', sdpOffer, videourl: urlInput.value.trim() });
    candidates.flush();
  } catch (e) {
    if (run !== generation) return;
    showError(errorBox, describeError(e));
    dispose();
  }
}

/** Ends it here: the peer closed, the page idle. */
function dispose(): void {
  generation++;
  if (peer) {
    peer.dispose();
    peer = undefined;
  }
  setState('idle');
}

function stop(): void {
  send({ id: 'stop' });
  dispose();
}

function seek(): void {
  const position = Number(seekInput.value);
  if (!Number.isSafeInteger(position) || position < 0) return showError(errorBox, 'The position is a whole number of milliseconds, 0 or more.');
  hideError(errorBox);
  send({ id: 'doSeek', position });
}

buttons.start.addEventListener('click', () => void start());
buttons.stop.addEventListener('click', stop);
buttons.pause.addEventListener('click', () => {
  send({ id: 'pause' });
  setState('paused');
});
buttons.resume.addEventListener('click', () => {
  send({ id: 'resume' });
  setState('playing');
});
buttons.doSeek.addEventListener('click', seek);
buttons.getPosition.addEventListener('click', () => send({ id: 'getPosition' }));
byId('clear-log', HTMLButtonElement).addEventListener('click', () => log.clear());
setState('idle');
