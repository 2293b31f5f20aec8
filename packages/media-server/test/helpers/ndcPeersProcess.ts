/** The child process behind NdcPeers: one libdatachannel PeerConnection per `open`. */
import { Audio, PeerConnection, Video, type Track } from 'node-datachannel';
import type { PeersCommand, PeersEvent } from './ndcPeers.js';

interface Peer {
  pc: PeerConnection;
  tracks: Track[];
  haveAnswer: boolean;
  early: [string, string][];
}

const peers = new Map<number, Peer>();
// Peers closed after the parent went away still report their state: nobody is left to hear it.
const emit = (event: PeersEvent) => process.connected && process.send?.(event);

function open(id: number): void {
  const pc = new PeerConnection(`peer-${id}`, { iceServers: [], bindAddress: '127.0.0.1' });
  const audio = new Audio('0', 'SendRecv');
  audio.addOpusCodec(111);
  const video = new Video('1', 'SendRecv');
  video.addVP8Codec(96);
  const peer: Peer = { pc, tracks: [pc.addTrack(audio), pc.addTrack(video)], haveAnswer: false, early: [] };
  peers.set(id, peer);
  pc.onStateChange((state) => emit({ type: 'state', id, state }));
  pc.onLocalCandidate((candidate, mid) => emit({ type: 'candidate', id, candidate: candidate.replace(/^a=/, ''), mid }));
  pc.onLocalDescription((sdp, type) => type === 'offer' && emit({ type: 'offer', id, sdp }));
  pc.setLocalDescription();
}

// Tracks are closed before their connection: closing only the connection crashes
// libdatachannel's cleanup later.
function close(peer: Peer): void {
  for (const track of peer.tracks) track.close();
  peer.pc.close();
}

process.on('message', (command: PeersCommand) => {
  const peer = peers.get(command.id);
  switch (command.type) {
    case 'open':
      return open(command.id);
    case 'answer':
      if (!peer) return;
      peer.pc.setRemoteDescription(command.sdp, 'answer');
      peer.haveAnswer = true;
      for (const [c, mid] of peer.early.splice(0)) peer.pc.addRemoteCandidate(c, mid);
      return;
    case 'candidate':
      if (!peer) return;
      if (peer.haveAnswer) peer.pc.addRemoteCandidate(command.candidate, command.mid);
      else peer.early.push([command.candidate, command.mid]);
      return;
    case 'close':
      if (peer) close(peer);
      peers.delete(command.id);
      return;
  }
});

// libdatachannel's cleanup() can block for half a minute: the process just ends.
process.on('disconnect', () => {
  for (const peer of peers.values()) close(peer);
  process.exit(0);
});
