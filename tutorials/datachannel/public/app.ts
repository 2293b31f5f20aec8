/**
 * The data-channel page: the kit's loopback page on the `/datachannel` WebSocket, whose
 * WebRtcPeer opens a data channel. Send puts the text on the channel; what comes back on it is
 * listed under "Received back", in the order it arrives.
 */
import { byId, LoopbackPage } from '@kurento-ts/tutorial-kit/page';
import { CHANNEL_LABEL, type ServerMessage } from '../src/messages.js';

const form = byId('send-form', HTMLFormElement);
const text = byId('text', HTMLInputElement);
const sendButton = byId('send', HTMLButtonElement);
const received = byId('received', HTMLOListElement);
const channelState = byId('channel-state', HTMLElement);

/** Whether the channel takes text now. */
function channelOpen(open: boolean): void {
  text.disabled = !open;
  sendButton.disabled = !open;
  channelState.textContent = open ? 'open' : 'closed';
}

const page = new LoopbackPage<ServerMessage>({
  path: '/datachannel',
  status: {
    idle: 'Stopped. Press Start to go again.',
    connecting: 'Connecting…',
    playing: 'Playing: type text and press Send; it comes back through the media server.',
  },
  peer: {
    dataChannels: true,
    dataChannelConfig: {
      id: CHANNEL_LABEL,
      onopen: () => channelOpen(true),
      onclose: () => channelOpen(false),
      onmessage: (event) => {
        const item = document.createElement('li');
        item.textContent = typeof event.data === 'string' ? event.data : `(${String(event.data)})`;
        received.append(item);
      },
    },
  },
  started: () => received.replaceChildren(),
  stopped: () => channelOpen(false),
});
page.status = 'Press Start, and allow the camera.';

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (text.value === '' || !page.peer) return;
  page.peer.send(text.value);
  text.value = '';
  text.focus();
});
