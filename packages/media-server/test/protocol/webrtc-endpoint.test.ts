/** WebRtcEndpoint negotiation and ICE over the raw protocol, with a werift peer on the other side. */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Message, RTCPeerConnection, classes, methods, parseMessage } from 'werift';
import type { MediaServer } from '../../src/index.js';
import { RawRpc } from '../helpers/rpc.js';
import { startServer } from '../helpers/server.js';
import { waitFor, openUdpSockets } from '@kurento-ts/test-utils';

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

const udpSockets = () => openUdpSockets().length;

async function endpoint(): Promise<{ pipeline: string; ep: string }> {
  const pipeline = await rpc.value<string>('create', { type: 'MediaPipeline' });
  const ep = await rpc.value<string>('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } });
  return { pipeline, ep };
}

/** A Node WebRTC peer on loopback (werift), standing in for a browser. */
const nodePeer = () => new RTCPeerConnection({ iceServers: [], iceAdditionalHostAddresses: ['127.0.0.1'], iceInterfaceAddresses: { udp4: '127.0.0.1' }, iceUseIpv6: false });

test('hostile SDP gets SDP error codes and the endpoint stays usable', async (t) => {
  const { pipeline, ep } = await endpoint();
  const offerError = async (offer: string) => (await rpc.call('invoke', { object: ep, operation: 'processOffer', operationParams: { offer } })).error;
  assert.deepEqual(await offerError('garbage'), { code: 40201, message: 'Invalid SDP: it must start with v=0', data: { type: 'SDP_PARSE_ERROR' } });
  assert.deepEqual(await offerError('v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n'), { code: 40205, message: 'Invalid SDP: no media sections', data: { type: 'SDP_END_POINT_PROCESS_OFFER_ERROR' } });
  assert.deepEqual(await offerError(`v=0\r\n${'a=x\r\n'.repeat(20_000)}`), { code: 40205, message: 'Invalid SDP: larger than 65536 bytes', data: { type: 'SDP_END_POINT_PROCESS_OFFER_ERROR' } });
  assert.deepEqual(await offerError('v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n'), { code: 40205, message: 'Invalid SDP: media section 0 has no ICE credentials', data: { type: 'SDP_END_POINT_PROCESS_OFFER_ERROR' } });
  const noLocal = await rpc.call('invoke', { object: ep, operation: 'getLocalSessionDescriptor' });
  assert.deepEqual(noLocal.error, { code: 40202, message: 'No local SDP yet', data: { type: 'SDP_END_POINT_NO_LOCAL_SDP_ERROR' } });
  const noRemote = await rpc.call('invoke', { object: ep, operation: 'getRemoteSessionDescriptor' });
  assert.equal(noRemote.error?.code, 40203);
  const noOffer = await rpc.call('invoke', { object: ep, operation: 'processAnswer', operationParams: { answer: 'v=0\r\n' } });
  assert.deepEqual(noOffer.error, { code: 40209, message: 'No offer was generated', data: { type: 'SDP_END_POINT_NOT_OFFER_GENERATED' } });
  const badCandidate = await rpc.call('invoke', { object: ep, operation: 'addIceCandidate', operationParams: { candidate: { __module__: 'kurento', __type__: 'IceCandidate', candidate: 'hello', sdpMid: '0', sdpMLineIndex: 0 } } });
  assert.deepEqual(badCandidate.error, { code: 40401, message: 'Malformed candidate: hello', data: { type: 'ICE_ADD_CANDIDATE_ERROR' } });
  // Still usable: a real offer goes through.
  const peer = nodePeer();
  t.after(() => peer.close());
  peer.addTransceiver('video', { direction: 'sendrecv' });
  await peer.setLocalDescription(await peer.createOffer());
  const answer = await rpc.invoke<string>(ep, 'processOffer', { offer: peer.localDescription?.sdp ?? '' });
  assert.match(answer, /^v=0\r\n/);
  assert.match(answer, /a=rtpmap:\d+ VP8\/90000/);
  assert.equal(await rpc.invoke(ep, 'getLocalSessionDescriptor'), answer);
  const again = await rpc.call('invoke', { object: ep, operation: 'processOffer', operationParams: { offer: peer.localDescription?.sdp ?? '' } });
  assert.equal(again.error?.code, 40208, 'a second offer is refused');
  await peer.close();
  await rpc.value('release', { object: pipeline });
});

test('generateOffer → Node peer answers → processAnswer; trickle ICE both ways with Kurento events; release frees the sockets', async (t) => {
  const socketsBefore = udpSockets();
  const { pipeline, ep } = await endpoint();
  for (const type of ['IceCandidateFound', 'IceGatheringDone', 'IceComponentStateChanged', 'NewCandidatePairSelected', 'ConnectionStateChanged']) {
    await rpc.value('subscribe', { object: ep, type });
  }
  const offer = await rpc.invoke<string>(ep, 'generateOffer', { options: { __module__: 'kurento', __type__: 'OfferOptions', offerToReceiveAudio: true, offerToReceiveVideo: true } });
  assert.match(offer, /m=audio/);
  assert.match(offer, /m=video/);

  const peer = nodePeer();
  t.after(() => peer.close());
  peer.onIceCandidate.subscribe((c) => {
    if (c) void rpc.invoke(ep, 'addIceCandidate', { candidate: { __module__: 'kurento', __type__: 'IceCandidate', ...c.toJSON() } });
  });
  await peer.setRemoteDescription({ type: 'offer', sdp: offer });
  await peer.setLocalDescription(await peer.createAnswer());
  assert.deepEqual(rpc.notifications.filter((n) => n.params?.value.type === 'IceCandidateFound'), [], 'no candidates announced before gatherCandidates');
  await rpc.invoke(ep, 'processAnswer', { answer: peer.localDescription?.sdp ?? '' });
  assert.equal(await rpc.invoke(ep, 'getRemoteSessionDescriptor'), peer.localDescription?.sdp);
  await rpc.invoke(ep, 'gatherCandidates');

  const found = await rpc.event('IceCandidateFound');
  const data = found.params?.value.data ?? {};
  assert.deepEqual(Object.keys(data).sort(), ['candidate', 'source', 'tags', 'timestampMillis', 'type']);
  assert.equal(data['source'], ep);
  assert.equal(data['type'], 'IceCandidateFound');
  assert.match(String(data['timestampMillis']), /^\d{13}$/);
  const candidate = data['candidate'] as Record<string, unknown>;
  assert.equal(candidate['__type__'], 'IceCandidate');
  assert.match(String(candidate['candidate']), /^candidate:\S+ 1 udp \d+ 127\.0\.0\.1 \d+ typ host/);
  for (const n of rpc.notifications.filter((m) => m.params?.value.type === 'IceCandidateFound')) {
    const c = (n.params?.value.data['candidate'] ?? {}) as { candidate: string; sdpMid: string; sdpMLineIndex: number };
    assert.match(c.candidate, / 127\.0\.0\.1 /, 'only the configured interface is offered');
    await peer.addIceCandidate(c);
  }
  await rpc.event('IceGatheringDone');
  await waitFor('ConnectionStateChanged', () => rpc.notifications.find((n) => n.params?.value.type === 'ConnectionStateChanged'));
  const connected = rpc.notifications.find((n) => n.params?.value.type === 'ConnectionStateChanged');
  assert.deepEqual([connected?.params?.value.data['oldState'], connected?.params?.value.data['newState']], ['DISCONNECTED', 'CONNECTED']);
  const pair = (await rpc.event('NewCandidatePairSelected')).params?.value.data['candidatePair'] as Record<string, unknown>;
  assert.equal(pair['__type__'], 'IceCandidatePair');
  assert.match(String(pair['localCandidate']), /127\.0\.0\.1/);
  const states = rpc.notifications.filter((n) => n.params?.value.type === 'IceComponentStateChanged').map((n) => n.params?.value.data['state']);
  const order = ['GATHERING', 'CONNECTING', 'CONNECTED', 'READY'];
  assert.ok(states.includes('CONNECTED') || states.includes('READY'), `ICE states: ${states.join(' ')}`);
  assert.deepEqual(states, [...states].sort((a, b) => order.indexOf(String(a)) - order.indexOf(String(b))), `ICE states only move forward: ${states.join(' ')}`);
  assert.equal(await rpc.invoke(ep, 'getConnectionState'), 'CONNECTED');
  assert.ok(udpSockets() > socketsBefore);

  await peer.close();
  await rpc.value('release', { object: pipeline });
  await waitFor('UDP sockets given back', () => udpSockets() <= socketsBefore, 5000);
  rpc.notifications.length = 0;
});

test('STUN/TURN properties: set, read back; a malformed TURN url is refused', async () => {
  const { pipeline, ep } = await endpoint();
  await rpc.invoke(ep, 'setStunServerAddress', { stunServerAddress: '127.0.0.1' });
  await rpc.invoke(ep, 'setStunServerPort', { stunServerPort: 3479 });
  assert.equal(await rpc.invoke(ep, 'getStunServerAddress'), '127.0.0.1');
  assert.equal(await rpc.invoke(ep, 'getStunServerPort'), 3479);
  await rpc.invoke(ep, 'setTurnUrl', { turnUrl: 'user:secret@127.0.0.1:3478?transport=udp' });
  assert.equal(await rpc.invoke(ep, 'getTurnUrl'), 'user:secret@127.0.0.1:3478?transport=udp');
  const bad = await rpc.call('invoke', { object: ep, operation: 'setTurnUrl', operationParams: { turnUrl: 'turn.example' } });
  assert.equal(bad.error?.code, 40107);
  assert.equal(await rpc.invoke(ep, 'getNetworkInterfaces'), '127.0.0.1');
  await rpc.value('release', { object: pipeline });
});

const bound = (address: string): Promise<Socket> =>
  new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.bind(0, address, () => resolve(socket));
  });

test('a connectivity check answered from another address fails at once, without retransmissions (RFC 8445 §7.2.5.2.1)', async (t) => {
  const { pipeline, ep } = await endpoint();
  const peer = nodePeer();
  t.after(() => peer.close());
  peer.addTransceiver('audio', { direction: 'sendrecv' });
  await peer.setLocalDescription(await peer.createOffer());
  const offer = peer.localDescription?.sdp ?? '';
  const password = /a=ice-pwd:(\S+)/.exec(offer)?.[1] ?? '';
  // The server's only remote candidate: a socket that answers every check authentically, but from another address.
  const checked = await bound('127.0.0.2');
  const answering = await bound('127.0.0.3');
  t.after(() => {
    checked.close();
    answering.close();
  });
  const requests: number[] = [];
  checked.on('message', (data, from) => {
    const request = parseMessage(data);
    if (request?.messageMethod !== methods.BINDING || request.messageClass !== classes.REQUEST) return;
    requests.push(performance.now());
    const response = new Message(methods.BINDING, classes.RESPONSE, request.transactionId);
    response.setAttribute('XOR-MAPPED-ADDRESS', [from.address, from.port]);
    response.addMessageIntegrity(Buffer.from(password, 'utf8'));
    response.addFingerprint();
    answering.send(response.bytes, from.port, from.address);
  });
  await rpc.invoke(ep, 'processOffer', { offer: offer.replace(/a=(candidate:.*|end-of-candidates)\r\n/g, '') });
  const candidate = `candidate:1 1 udp 2130706431 127.0.0.2 ${checked.address().port} typ host`;
  await rpc.invoke(ep, 'addIceCandidate', { candidate: { __module__: 'kurento', __type__: 'IceCandidate', candidate, sdpMid: '0', sdpMLineIndex: 0 } });
  await rpc.invoke(ep, 'gatherCandidates');
  await waitFor('the server to check the candidate', () => requests.length > 0, 5000);
  // werift's own transactions would send it four more times, 50, 150, 350 and 750 ms after the first.
  await sleep(1200);
  assert.equal(requests.length, 1, `binding requests to the asymmetric candidate, ms after the first: ${requests.map((at) => Math.round(at - (requests[0] ?? 0))).join(', ')}`);
  await rpc.value('release', { object: pipeline });
});
