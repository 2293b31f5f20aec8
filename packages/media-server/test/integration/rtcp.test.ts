/**
 * The server's RTCP end to end, with a libdatachannel peer (node-datachannel) sending VP8 RTP to
 * a WebRtcEndpoint connected to itself: a packet the peer holds back is NACKed a bounded number
 * of times and echoed once sent; sender reports describe the echoed stream.
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
  await rpc.close();
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

interface LoopbackSession {
  endpoint: string;
  track: Track;
  /** RTCP packets received from the server, each compound split into its packets. */
  rtcp: Buffer[];
  /** Payload sequence markers of the echoed packets. */
  echoed: number[];
  close(): Promise<void>;
}

/** A libdatachannel peer sending VP8 (with NACK feedback) to a WebRtcEndpoint connected to itself. */
async function openLoopback(): Promise<LoopbackSession> {
  const pc = new PeerConnection('rtcp-test', { iceServers: [], bindAddress: '127.0.0.1' });
  const media = new Video('0', 'SendRecv');
  media.addVP8Codec(VP8);
  media.parseSdpLine(`a=rtcp-fb:${VP8} nack`);
  media.parseSdpLine(`a=rtcp-fb:${VP8} nack pli`);
  media.addSSRC(SSRC, 'rtcp-test', 'stream', 'track');
  const track: Track = pc.addTrack(media);
  const rtcp: Buffer[] = [];
  const echoed: number[] = [];
  track.onMessage((message) => {
    const data = Buffer.from(message);
    const type = data[1] ?? 0;
    if (type >= 192 && type <= 223) {
      for (let o = 0; o + 4 <= data.length; o += (data.readUInt16BE(o + 2) + 1) * 4) rtcp.push(data.subarray(o, o + (data.readUInt16BE(o + 2) + 1) * 4));
    } else if (data.length > 14) {
      const b0 = data[0] ?? 0;
      const header = 12 + (b0 & 0x0f) * 4 + (b0 & 0x10 ? 4 + data.readUInt16BE(14 + (b0 & 0x0f) * 4) * 4 : 0);
      echoed.push(data.readUInt16BE(header + 1));
    }
  });
  const offer = new Promise<string>((resolve) => pc.onLocalDescription((sdp, type) => type === 'offer' && resolve(sdp)));
  const open = new Promise<void>((resolve) => track.onOpen(() => resolve()));
  pc.setLocalDescription();
  const pipeline = await rpc.value<string>('create', { type: 'MediaPipeline' });
  const close = async () => {
    rpc.onNotification = undefined;
    track.close();
    pc.close();
    await rpc.value('release', { object: pipeline });
  };
  let endpoint = '';
  try {
    endpoint = await rpc.value<string>('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } });
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
  } catch (e) {
    await close();
    throw e;
  }
  return { endpoint, track, rtcp, echoed, close };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a packet held back is NACKed a bounded number of times, counted in getStats, and echoed once it arrives', async () => {
  const { endpoint, track, rtcp, echoed, close } = await openLoopback();
  try {
    // 100 packets over 2 s, 40 held back: the server asks for 40 and only 40.
    const HELD = 40;
    for (let seq = 1; seq <= 100; seq++) {
      if (seq !== HELD) track.sendMessageBinary(rtp(seq));
      await pause(20);
    }
    await waitFor('packets after the gap echoed', () => echoed.includes(100), 5000);
    const nacks = rtcp.flatMap(nackedSequences);
    assert.ok(nacks.includes(HELD), `NACKed: ${nacks.join(',')}`);
    assert.deepEqual([...new Set(nacks)], [HELD], 'only the missing packet is asked for');
    assert.ok(nacks.length >= 2 && nacks.length <= 5, `asked ${nacks.length} times over 1.2 s (at once, then every 50 ms, 5 at most)`);
    assert.ok(!echoed.includes(HELD), 'not echoed before it was sent');

    const stats = await rpc.invoke<Record<string, Record<string, unknown>>>(endpoint, 'getStats', { mediaType: 'VIDEO' });
    const inbound = stats[`${endpoint}_inbound_video`];
    assert.equal(inbound?.['ssrc'], String(SSRC));
    assert.equal(inbound?.['packetsLost'], 1);
    assert.equal(inbound?.['nackCount'], nacks.length, 'one NACK packet per request');
    assert.ok(typeof inbound?.['jitter'] === 'number' && inbound['jitter'] >= 0 && inbound['jitter'] < 1, `jitter ${String(inbound?.['jitter'])} s`);
    const outbound = stats[`${endpoint}_outbound_video`];
    assert.match(String(outbound?.['ssrc']), /^\d+$/);
    assert.notEqual(outbound?.['ssrc'], String(SSRC), 'our own SSRC, not the peer\'s');
    assert.equal(outbound?.['nackCount'], 0, 'the peer asked for nothing');

    track.sendMessageBinary(rtp(HELD)); // the retransmission
    await waitFor('the late packet echoed', () => echoed.includes(HELD), 3000);
  } finally {
    await close();
  }
});

test('sender reports for the echoed stream carry its NTP time and counts, and come about once a second', async () => {
  const { track, rtcp, echoed, close } = await openLoopback();
  try {
    for (let seq = 1; seq <= 10; seq++) {
      track.sendMessageBinary(rtp(seq));
      await pause(20);
    }
    await waitFor('media echoed', () => echoed.length > 0, 5000);
    const from = rtcp.length;
    for (let seq = 11; seq <= 160; seq++) {
      track.sendMessageBinary(rtp(seq));
      await pause(20);
    }
    const reports = rtcp.slice(from).filter((p) => p[1] === 200);
    assert.ok(reports.length >= 2 && reports.length <= 4, `${reports.length} sender reports in 3 s`);
    for (const sr of reports) {
      assert.notEqual(sr.readBigUInt64BE(8), 0n, 'NTP timestamp set');
      assert.ok(sr.readUInt32BE(20) > 0, 'packets counted');
      assert.ok(sr.readUInt32BE(24) > 0, 'octets counted');
    }
  } finally {
    await close();
  }
});
