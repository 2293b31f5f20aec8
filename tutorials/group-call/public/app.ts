/**
 * The group call page: join a room under a name; the page then sends its camera (a sendonly
 * peer, shown in its own tile) and receives every other participant in a tile of theirs (a
 * recvonly peer each), as they come and go. The signalling is Kurento's group-call tutorial's,
 * on the `/groupcall` WebSocket; the WebRTC side is @kurento-ts/browser's WebRtcPeer.
 */
import { WebRtcPeer, type PeerMode } from '@kurento-ts/browser';
import { byId, describeError, hideError, LocalCandidates, MessageLog, PageSocket, showError } from '@kurento-ts/tutorial-kit/page';
import type { BrowserMessage, Candidate, ServerMessage } from '../src/messages.js';

const joinPanel = byId('join', HTMLElement);
const joinForm = byId('join-form', HTMLFormElement);
const nameInput = byId('name', HTMLInputElement);
const roomInput = byId('roomName', HTMLInputElement);
const roomPanel = byId('room', HTMLElement);
const roomHeader = byId('room-header', HTMLElement);
const participantsBox = byId('participants', HTMLElement);
const errorBox = byId('error', HTMLElement);
const log = new MessageLog(byId('console', HTMLElement));

/** What the page sends: 320 pixels wide at 15 frames a second, as Kurento's tutorial asks. */
const CONSTRAINTS: MediaStreamConstraints = { audio: true, video: { width: { max: 320 }, frameRate: { max: 15 } } };

type State = 'out' | 'joining' | 'in';
let state: State = 'out';
let myName = '';

const socket = new PageSocket<ServerMessage, BrowserMessage>('/groupcall', {
  message: onMessage,
  unreadable: () => showError(errorBox, 'The application server sent something unreadable.'),
  closed: () => {
    if (state === 'out') return;
    showError(errorBox, 'Lost the connection to the application server.');
    leaveHere();
  },
});

function send(message: BrowserMessage): void {
  log.sent(message);
  socket.send(message);
}

/** One participant's tile: its video and the peer that feeds it (sending for our own, receiving for the others). */
class Tile {
  readonly container = document.createElement('div');
  readonly video = document.createElement('video');
  #peer: WebRtcPeer | undefined;
  #disposed = false;
  /** Local candidates wait until the offer is sent: the server makes the endpoint from it. */
  readonly #candidates = new LocalCandidates((candidate) => send({ id: 'onIceCandidate', name: this.name, candidate }));

  constructor(readonly name: string) {
    const label = document.createElement('span');
    label.textContent = name;
    this.container.id = name;
    this.container.className = participantsBox.querySelector('.main') ? 'participant' : 'participant main';
    this.video.id = `video-${name}`;
    this.video.autoplay = true;
    this.video.playsInline = true;
    this.container.append(this.video, label);
    this.container.addEventListener('click', () => this.#makeMain());
    participantsBox.append(this.container);
  }

  /** Starts the peer and sends its offer as receiveVideoFrom. */
  async start(mode: PeerMode): Promise<void> {
    try {
      const media = mode === 'sendonly' ? { localVideo: this.video, mediaConstraints: CONSTRAINTS } : { remoteVideo: this.video };
      const peer = await WebRtcPeer.create(mode, { ...media, onicecandidate: (c) => this.#candidates.add(c) });
      if (this.#disposed) return peer.dispose();
      this.#peer = peer;
      const sdpOffer = await peer.generateOffer();
      if (this.#disposed) return;
      send({ id: 'receiveVideoFrom', sender: this.name, sdpOffer });
      this.#candidates.flush();
    } catch (e) {
      if (!this.#disposed) showError(errorBox, `${this.name}: ${describeError(e)}`);
    }
  }

  answer(sdpAnswer: string): void {
    this.#peer?.processAnswer(sdpAnswer).catch((e: unknown) => showError(errorBox, `${this.name}: could not apply the answer: ${describeError(e)}`));
  }

  addCandidate(candidate: Candidate): void {
    this.#peer?.addIceCandidate(candidate).catch(() => undefined);
  }

  /** Lets go of the peer (and the camera, for our own) and removes the tile. */
  dispose(): void {
    this.#disposed = true;
    this.#peer?.dispose();
    this.#peer = undefined;
    this.container.remove();
  }

  /** A click makes a tile the big one (and a second click makes it small again). */
  #makeMain(): void {
    const wasMain = this.container.classList.contains('main');
    for (const tile of participantsBox.querySelectorAll('.main')) tile.classList.remove('main');
    if (!wasMain) this.container.classList.add('main');
  }
}

const tiles = new Map<string, Tile>();

function setState(next: State): void {
  state = next;
  document.body.dataset['state'] = next;
  joinPanel.hidden = next !== 'out';
  roomPanel.hidden = next === 'out';
}

function onMessage(message: ServerMessage): void {
  log.received(message);
  switch (message.id) {
    case 'existingParticipants':
      setState('in');
      addTile(myName, 'sendonly');
      for (const name of message.data) addTile(name, 'recvonly');
      return;
    case 'newParticipantArrived':
      return addTile(message.name, 'recvonly');
    case 'participantLeft':
      tiles.get(message.name)?.dispose();
      tiles.delete(message.name);
      return;
    case 'receiveVideoAnswer':
      return tiles.get(message.name)?.answer(message.sdpAnswer);
    case 'iceCandidate':
      return tiles.get(message.name)?.addCandidate(message.candidate);
    case 'error':
      showError(errorBox, message.message);
      if (state === 'joining') setState('out'); // the join was refused
      return;
  }
}

function addTile(name: string, mode: PeerMode): void {
  tiles.get(name)?.dispose();
  const tile = new Tile(name);
  tiles.set(name, tile);
  void tile.start(mode);
}

function join(): void {
  const [name, room] = [nameInput.value.trim(), roomInput.value.trim()];
  if (name === '' || room === '') return showError(errorBox, 'Type a name and a room.');
  hideError(errorBox);
  myName = name;
  roomHeader.textContent = `ROOM ${room}`;
  setState('joining');
  socket.open().then(() => send({ id: 'joinRoom', name, room }), (e: unknown) => {
    showError(errorBox, describeError(e));
    setState('out');
  });
}

/** Ends the call here: every tile and peer (and the camera) let go. */
function leaveHere(): void {
  for (const tile of tiles.values()) tile.dispose();
  tiles.clear();
  setState('out');
}

function leave(): void {
  send({ id: 'leaveRoom' });
  leaveHere();
}

joinForm.addEventListener('submit', (e) => {
  e.preventDefault();
  join();
});
byId('button-leave', HTMLButtonElement).addEventListener('click', leave);
byId('clear-log', HTMLButtonElement).addEventListener('click', () => log.clear());
setState('out');
nameInput.focus();
