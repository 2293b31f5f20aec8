/**
 * The one-to-one call page: Register a name; Call another registered name, or Accept/Reject a
 * call that comes in; Stop ends the call on both sides. The signalling is Kurento's tutorial's,
 * on the `/one2one` WebSocket; the WebRTC side is @kurento-ts/browser's WebRtcPeer (promise form).
 */
import { WebRtcPeer } from '@kurento-ts/browser';
import { byId, describeError, hideError, LocalCandidates, MessageLog, PageSocket, showError } from '@kurento-ts/tutorial-kit/page';
import type { BrowserMessage, ServerMessage } from '../src/messages.js';

const nameInput = byId('name', HTMLInputElement);
const peerInput = byId('peer', HTMLInputElement);
const registerButton = byId('register', HTMLButtonElement);
const callButton = byId('call', HTMLButtonElement);
const stopButton = byId('terminate', HTMLButtonElement);
const videoInput = byId('videoInput', HTMLVideoElement);
const videoOutput = byId('videoOutput', HTMLVideoElement);
const incoming = byId('incoming', HTMLElement);
const incomingText = byId('incoming-text', HTMLElement);
const statusLine = byId('status', HTMLElement);
const errorBox = byId('error', HTMLElement);
const log = new MessageLog(byId('console', HTMLElement));

type RegisterState = 'unregistered' | 'registering' | 'registered';
/** idle; calling: our offer is out, waiting for callResponse; ringing: a call waits for Accept/Reject; answering: accepted, waiting for startCommunication; inCall. */
type CallState = 'idle' | 'calling' | 'ringing' | 'answering' | 'inCall';

let registerState: RegisterState = 'unregistered';
let callState: CallState = 'idle';
/** Who we talk to (or who calls us). */
let other = '';
let peer: WebRtcPeer | undefined;
/** Bumped by every call start and stop: a start overtaken by them gives up. */
let generation = 0;

const socket = new PageSocket<ServerMessage, BrowserMessage>('/one2one', {
  message: onMessage,
  unreadable: () => showError(errorBox, 'The application server sent something unreadable.'),
  closed: () => {
    if (registerState === 'unregistered') return;
    showError(errorBox, 'Lost the connection to the application server: register again.');
    endCall();
    setRegisterState('unregistered');
  },
});

function send(message: BrowserMessage): void {
  log.sent(message);
  socket.send(message);
}

function setRegisterState(next: RegisterState): void {
  registerState = next;
  document.body.dataset['register'] = next;
  render();
}

function setCallState(next: CallState): void {
  callState = next;
  document.body.dataset['call'] = next;
  render();
}

const STATUS: Record<CallState, () => string> = {
  idle: () => (registerState === 'registered' ? `Registered as ${nameInput.value}. Type a peer's name and press Call.` : 'Register a name to make or take calls.'),
  calling: () => `Calling ${other}…`,
  ringing: () => `${other} is calling you.`,
  answering: () => `Connecting to ${other}…`,
  inCall: () => `In a call with ${other}.`,
};

/** Buttons and texts from the two states (Kurento's page enables the same buttons in the same states). */
function render(): void {
  const registered = registerState === 'registered';
  registerButton.disabled = registerState !== 'unregistered';
  nameInput.disabled = registerState !== 'unregistered';
  callButton.disabled = !registered || callState !== 'idle';
  stopButton.disabled = !(callState === 'calling' || callState === 'answering' || callState === 'inCall');
  incoming.hidden = callState !== 'ringing';
  incomingText.textContent = `${other} is calling you.`;
  statusLine.textContent = STATUS[callState]();
}

function onMessage(message: ServerMessage): void {
  log.received(message);
  switch (message.id) {
    case 'registerResponse':
      if (message.response === 'accepted') return setRegisterState('registered');
      showError(errorBox, message.message);
      return setRegisterState('unregistered');
    case 'incomingCall':
      return onIncomingCall(message.from);
    case 'callResponse':
      if (message.response === 'accepted') return answered(message.sdpAnswer);
      showError(errorBox, message.message);
      return endCall();
    case 'startCommunication':
      return answered(message.sdpAnswer);
    case 'stopCommunication':
      showError(errorBox, message.message);
      return endCall();
    case 'iceCandidate':
      // May come before the answer: the peer queues it until then.
      peer?.addIceCandidate(message.candidate).catch(() => undefined);
      return;
    case 'error':
      return showError(errorBox, message.message);
  }
}

function answered(sdpAnswer: string): void {
  if (!peer) return;
  setCallState('inCall');
  peer.processAnswer(sdpAnswer).catch((e: unknown) => fail(`Could not apply the answer: ${describeError(e)}`));
}

function onIncomingCall(from: string): void {
  // Busy: answered without disturbing the user, as Kurento's page does.
  if (callState !== 'idle') return send({ id: 'incomingCallResponse', from, callResponse: 'reject', message: 'busy' });
  hideError(errorBox);
  other = from;
  setCallState('ringing');
}

/** Asks for the camera, makes the offer and sends the message `withOffer` makes of it. */
async function startPeer(withOffer: (sdpOffer: string) => BrowserMessage): Promise<void> {
  const run = ++generation;
  // Local candidates wait until our offer is sent: the server needs the call first.
  const candidates = new LocalCandidates((candidate) => send({ id: 'onIceCandidate', candidate }));
  try {
    const created = await WebRtcPeer.create('sendrecv', { localVideo: videoInput, remoteVideo: videoOutput, onicecandidate: (c) => candidates.add(c) });
    if (run !== generation) return created.dispose();
    peer = created;
    const sdpOffer = await created.generateOffer();
    if (run !== generation) return;
    send(withOffer(sdpOffer));
    candidates.flush();
  } catch (e) {
    if (run === generation) fail(describeError(e));
  }
}

function register(): void {
  const name = nameInput.value.trim();
  if (name === '') return showError(errorBox, 'Type your name first.');
  hideError(errorBox);
  nameInput.value = name;
  setRegisterState('registering');
  socket.open().then(() => send({ id: 'register', name }), (e: unknown) => {
    showError(errorBox, describeError(e));
    setRegisterState('unregistered');
  });
}

function call(): void {
  const to = peerInput.value.trim();
  if (to === '') return showError(errorBox, 'Type the name of the user to call.');
  hideError(errorBox);
  other = to;
  setCallState('calling');
  void startPeer((sdpOffer) => ({ id: 'call', from: nameInput.value, to, sdpOffer }));
}

function accept(): void {
  setCallState('answering');
  const from = other;
  void startPeer((sdpOffer) => ({ id: 'incomingCallResponse', from, callResponse: 'accept', sdpOffer }));
}

function reject(): void {
  send({ id: 'incomingCallResponse', from: other, callResponse: 'reject', message: 'user declined' });
  endCall();
}

/** Ends the call here (the camera is let go); the server is told by the caller of this. */
function endCall(): void {
  generation++;
  if (peer) {
    peer.dispose();
    peer = undefined;
    log.note('Call ended');
  }
  setCallState('idle');
}

/** Stop: ends the call here and on the server (which tells the other user). */
function stop(): void {
  send({ id: 'stop' });
  endCall();
}

function fail(message: string): void {
  showError(errorBox, message);
  stop();
}

registerButton.addEventListener('click', register);
callButton.addEventListener('click', call);
stopButton.addEventListener('click', stop);
byId('accept', HTMLButtonElement).addEventListener('click', accept);
byId('reject', HTMLButtonElement).addEventListener('click', reject);
byId('clear-log', HTMLButtonElement).addEventListener('click', () => log.clear());
nameInput.addEventListener('keydown', (e) => e.key === 'Enter' && register());
peerInput.addEventListener('keydown', (e) => e.key === 'Enter' && !callButton.disabled && call());
render();
nameInput.focus();
