/**
 * Loss recovery end to end, with a libdatachannel peer (node-datachannel) sending VP8 RTP to a
 * WebRtcEndpoint connected to itself: a packet the peer holds back is NACKed by the server, a
 * bounded number of times; once the peer sends it, it comes back in the echo.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { waitFor } from '@kurento-ts/test-utils';
import { PeerConnection, Video, type Track } from 'node-datachannel';
import type { MediaServer } from '../../src/index.js';
import { RawRpc } from '../helpers/rpc.js';
import { startServer } from '../helpers/server.js';

const VP8 = 96;
const SSRC = 0x5eed1234;

let server: MediaServer;
let rpc: RawRpc;

before(async () => {
  server = await startServer();
  rpc = await RawRpc.open(server.url);
});

after(async () => {
  rpc.socket.close();
  await server.stop();
});

/** A VP8-like RTP packet whose payload names its sequence number. */
function rtp(seq: number): Buffer {
  const packet = Buffer.alloc(12 + 200, 0);
  packet[0] = 0x80;
  packet[1] = VP8;
  packet.writeUInt16BE(seq, 2);
  packet.writeUInt32BE(seq * 3000, 4);
  packet.writeUInt32BE(SSRC, 8);
  packet[12] = 0x10; // VP8 payload descriptor: start of partition
  packet.writeUInt16BE(seq, 13);
  packet.write('kurento-ts nack test', 20);
  return packet;
}

/** Sequence numbers named by the Generic NACKs (RTPFB, FMT 1) in a compound RTCP packet. */
function nackedSequences(compound: Buffer): number[] {
  const seqs: number[] = [];
  for (let o = 0; o + 4 <= compound.length; ) {
    const length = (compound.readUInt16BE(o + 2) + 1) * 4;
    if (compound[o + 1] === 205 && ((compound[o] ?? 0) & 0x1f) === 1) {
      for (let f = o + 12; f + 4 <= o + length; f += 4) {
        const pid = compound.readUInt16BE(f);
        const blp = compound.readUInt16BE(f + 2);
        seqs.push(pid);
        for (let b = 0; b < 16; b++) if (blp & (1 << b)) seqs.push((pid + b + 1) & 0xffff);
      }
    }
    o += length;
  }
  return seqs;
}

test('a packet held back is NACKed a bounded number of times, and echoed once it arrives', async () => {
  const pc = new PeerConnection('nack-test', { iceServers: [], bindAddress: '127.0.0.1' });
  const media = new Video('0', 'SendRecv');
  media.addVP8Codec(VP8);
  media.parseSdpLine(`a=rtcp-fb:${VP8} nack`);
  media.parseSdpLine(`a=rtcp-fb:${VP8} nack pli`);
  media.addSSRC(SSRC, 'nack-test', 'stream', 'track');
  const track: Track = pc.addTrack(media);
  const nacks: number[] = [];
  /** Payload sequence markers of the echoed packets. */
  const echoed: number[] = [];
  track.onMessage((message) => {
    const data = Buffer.from(message);
    const type = data[1] ?? 0;
    if (type >= 192 && type <= 223) nacks.push(...nackedSequences(data));
    else if (data.length > 14) {
      const header = 12 + ((data[0] ?? 0) & 0x0f) * 4 + ((data[0] ?? 0) & 0x10 ? 4 + data.readUInt16BE(14 + ((data[0] ?? 0) & 0x0f) * 4) * 4 : 0);
      echoed.push(data.readUInt16BE(header + 1));
    }
  });
  const offer = new Promise<string>((resolve) => pc.onLocalDescription((sdp, type) => type === 'offer' && resolve(sdp)));
  const open = new Promise<void>((resolve) => track.onOpen(() => resolve()));
  pc.setLocalDescription();

  const pipeline = await rpc.value<string>('create', { type: 'MediaPipeline' });
  try {
    const endpoint = await rpc.value<string>('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } });
    await rpc.invoke(endpoint, 'connect', { sink: endpoint });
    rpc.onNotification = (m) => {
      const c = m.params?.value.data['candidate'] as { candidate: string; sdpMid: string } | undefined;
      if (c) pc.addRemoteCandidate(c.candidate, c.sdpMid);
    };
    await rpc.value('subscribe', { object: endpoint, type: 'IceCandidateFound' });
    pc.onLocalCandidate((candidate, sdpMid) => void rpc.invoke(endpoint, 'addIceCandidate', { candidate: { __module__: 'kurento', __type__: 'IceCandidate', candidate: candidate.replace(/^a=/, ''), sdpMid, sdpMLineIndex: 0 } }));
    pc.setRemoteDescription(await rpc.invoke<string>(endpoint, 'processOffer', { offer: await offer }), 'answer');
    await rpc.invoke(endpoint, 'gatherCandidates');
    await open;

    // 100 packets over 2 s, 40 held back: the server asks for 40 and only 40.
    const HELD = 40;
    for (let seq = 1; seq <= 100; seq++) {
      if (seq !== HELD) track.sendMessageBinary(rtp(seq));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await waitFor('packets after the gap echoed', () => echoed.includes(100), 5000);
    assert.ok(nacks.includes(HELD), `NACKed: ${nacks.join(',')}`);
    assert.deepEqual([...new Set(nacks)], [HELD], 'only the missing packet is asked for');
    const asked = nacks.length;
    assert.ok(asked >= 2 && asked <= 5, `asked ${asked} times over 1.2 s (at once, then every 50 ms, 5 at most)`);
    assert.ok(!echoed.includes(HELD), 'not echoed before it was sent');

    track.sendMessageBinary(rtp(HELD)); // the retransmission
    await waitFor('the late packet echoed', () => echoed.includes(HELD), 3000);
  } finally {
    rpc.onNotification = undefined;
    track.close();
    pc.close();
    await rpc.value('release', { object: pipeline });
  }
});
