/**
 * The RTP receiver page: Start makes a receive-only WebRtcPeer and sends its offer as
 * PROCESS_SDP_OFFER (with the SRTP choice); the server answers it (PROCESS_SDP_ANSWER), trades
 * candidates (ADD_ICE_CANDIDATE) and tells where the RTP sender must send (SHOW_CONN_INFO, shown
 * with ready-to-run ffmpeg and gst-launch-1.0 commands) and the RtpEndpoint's answer
 * (SHOW_SDP_ANSWER). END_PLAYBACK or Stop ends it.
 */
import { WebRtcPeer } from '@kurento-ts/browser';
import { byId, describeError, hideError, LocalCandidates, PageSocket, showError } from '@kurento-ts/tutorial-kit/page';
import type { BrowserMessage, ConnectionInfo, ServerMessage } from '../src/messages.js';
import { ffmpegCommand, gstCommand } from '../src/senders.js';

const videoOutput = byId('videoOutput', HTMLVideoElement);
const useSrtp = byId('useSrtp', HTMLInputElement);
const startButton = byId('start', HTMLButtonElement);
const stopButton = byId('stop', HTMLButtonElement);
const statusLine = byId('status', HTMLElement);
const errorBox = byId('error', HTMLElement);
const connection = byId('connection', HTMLElement);

/** idle; connecting (to the media server); waiting (for the RTP sender); playing. */
type State = 'idle' | 'connecting' | 'waiting' | 'playing';

const STATUS: Record<State, string> = {
  idle: 'Stopped. Press Start to go again.',
  connecting: 'Connecting to the media server…',
  waiting: 'Waiting for the RTP sender: run one of the commands below.',
  playing: 'Playing what the RtpEndpoint receives.',
};

let state: State = 'idle';
let peer: WebRtcPeer | undefined;
/** Bumped by every Start and Stop: a start overtaken by them gives up. */
let generation = 0;
let answered = false;
const socket = new PageSocket<ServerMessage, BrowserMessage>('/rtpreceiver', {
  message: onMessage,
  unreadable: () => showError(errorBox, 'The application server sent something unreadable.'),
  closed: () => {
    if (state !== 'idle') fail('Lost the connection to the application server.');
  },
});

function setState(next: State): void {
  state = next;
  document.body.dataset['state'] = next;
  startButton.disabled = next !== 'idle';
  useSrtp.disabled = next !== 'idle';
  stopButton.disabled = next === 'idle';
  statusLine.textContent = STATUS[next];
}

function showConnection(info: ConnectionInfo): void {
  byId('conn-address', HTMLElement).textContent = info.address;
  byId('conn-video-port', HTMLElement).textContent = String(info.videoPort);
  byId('conn-audio-port', HTMLElement).textContent = String(info.audioPort);
  byId('conn-srtp', HTMLElement).textContent = info.srtp ? `${info.srtp.suite}; video key ${info.srtp.videoKey}, audio key ${info.srtp.audioKey}` : 'no (plain RTP)';
  byId('ffmpeg-command', HTMLElement).textContent = ffmpegCommand(info);
  byId('gst-command', HTMLElement).textContent = gstCommand(info);
  connection.hidden = false;
}

function onMessage(message: ServerMessage): void {
  switch (message.id) {
    case 'PROCESS_SDP_ANSWER':
      answered = true;
      peer?.processAnswer(message.sdpAnswer).then(() => state === 'connecting' && setState('waiting'), (e: unknown) => fail(`Could not apply the answer: ${String(e)}`));
      return;
    case 'ADD_ICE_CANDIDATE':
      peer?.addIceCandidate(message.candidate).catch(() => undefined);
      return;
    case 'SHOW_CONN_INFO':
      return showConnection({ address: message.address, audioPort: message.audioPort, videoPort: message.videoPort, ...(message.srtp ? { srtp: message.srtp } : {}) });
    case 'SHOW_SDP_ANSWER':
      byId('sdp-answer', HTMLElement).textContent = message.sdpAnswer;
      return;
    case 'END_PLAYBACK':
      return fail(`Playback ended: ${message.message}`);
    case 'error':
      if (state !== 'idle' && !answered) fail(message.message);
      else showError(errorBox, message.message);
      return;
  }
}

function fail(message: string): void {
  showError(errorBox, message);
  stop();
}

async function start(): Promise<void> {
  const run = ++generation;
  hideError(errorBox);
  connection.hidden = true;
  answered = false;
  setState('connecting');
  const candidates = new LocalCandidates((candidate) => socket.send({ id: 'ADD_ICE_CANDIDATE', candidate }));
  try {
    await socket.open();
    const created = await WebRtcPeer.create('recvonly', { remoteVideo: videoOutput, onicecandidate: (c) => candidates.add(c) });
    if (run !== generation) return created.dispose();
    peer = created;
    const sdpOffer = await created.generateOffer();
    if (run !== generation) return;
    socket.send({ id: 'PROCESS_SDP_OFFER', sdpOffer, useSrtp: useSrtp.checked });
    candidates.flush();
  } catch (e) {
    if (run !== generation) return;
    fail(describeError(e));
  }
}

/** Ends the session here and on the server (a STOP for a session it already ended is harmless). */
function stop(): void {
  generation++;
  peer?.dispose();
  peer = undefined;
  socket.send({ id: 'STOP' });
  setState('idle');
}

videoOutput.addEventListener('playing', () => {
  if (state === 'waiting' || state === 'connecting') setState('playing');
});
startButton.addEventListener('click', () => void start());
stopButton.addEventListener('click', () => stop());
setState('idle');
statusLine.textContent = 'Press Start (tick "Use SRTP" first for an encrypted sender).';
