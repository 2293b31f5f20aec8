/**
 * The `/rtpreceiver` protocol over raw WebSockets, against the app started in-process on a free
 * port and pointed (`--ws-uri`) at a media server of the test's own (the kit's rig, which also
 * fails on a UDP socket left open), with a stand-in WebRtcEndpoint playing the page.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closedDuringStartTests, RawClient, useSignallingRig, type CandidateRoute } from '@kurento-ts/tutorial-kit/testing';
import type { Candidate, ServerMessage } from '../src/messages.js';
import { rtpReceiver } from '../src/tutorial.js';

/** Kurento's ids for this tutorial's candidates, both ways. */
const ROUTE: CandidateRoute = {
  outgoing: (candidate) => ({ id: 'ADD_ICE_CANDIDATE', candidate }),
  incoming: (m) => (m.id === 'ADD_ICE_CANDIDATE' ? (m as { candidate?: Candidate }).candidate : undefined),
};

const rig = useSignallingRig(rtpReceiver);

async function start(useSrtp: boolean): Promise<RawClient<ServerMessage>> {
  const { client, standIn } = await rig().offer<ServerMessage>((sdpOffer) => ({ id: 'PROCESS_SDP_OFFER', sdpOffer, useSrtp }), ROUTE);
  const { sdpAnswer } = await client.take('PROCESS_SDP_ANSWER');
  await standIn.answer(sdpAnswer);
  await standIn.connected();
  return client;
}

test('malformed messages are answered with error, and the socket stays usable', async () => {
  const client = await rig().open<ServerMessage>();
  assert.deepEqual(await client.refusals(['[]', { id: 'PROCESS_SDP_OFFER' }, { id: 'PROCESS_SDP_OFFER', sdpOffer: 'v=0', useSrtp: 'yes' }, { id: 'ADD_ICE_CANDIDATE' }, { id: 'start', sdpOffer: 'v=0' }]), [
    'Malformed message: expected an object with a string "id"',
    'PROCESS_SDP_OFFER: "sdpOffer" must be a non-empty string',
    'PROCESS_SDP_OFFER: "useSrtp" must be true or false',
    'ADD_ICE_CANDIDATE: "candidate" must have candidate, sdpMid and sdpMLineIndex',
    'Invalid message id "start"',
  ]);
  client.send({ id: 'STOP' });
  await rig().expectAppPipelines([]);
  await client.close();
  assert.deepEqual(rig().faults, []);
});

test('plain RTP: the page connects; SHOW_CONN_INFO names the RtpEndpoint\'s address and ports, SHOW_SDP_ANSWER its answer; STOP releases', async () => {
  const client = await start(false);
  const info = await client.take('SHOW_CONN_INFO');
  const { sdpAnswer } = await client.take('SHOW_SDP_ANSWER');
  assert.deepEqual(Object.keys(info).sort(), ['address', 'audioPort', 'id', 'videoPort']);
  assert.equal(info.address, '127.0.0.1');
  assert.match(sdpAnswer, new RegExp(`^m=audio ${info.audioPort} RTP/AVPF 111\\r$`, 'm'));
  assert.match(sdpAnswer, new RegExp(`^m=video ${info.videoPort} RTP/AVPF 96\\r$`, 'm'));
  assert.ok(client.all('ADD_ICE_CANDIDATE').length > 0, 'the server\'s candidates, under Kurento\'s id');
  const [shape] = await rig().expectAppPipelines([2]);
  assert.deepEqual(shape?.elements, ['RtpEndpoint', 'WebRtcEndpoint']);
  assert.deepEqual(await rig().feeds(), [1], 'the RtpEndpoint feeds the page\'s endpoint');
  client.send({ id: 'STOP' });
  await rig().expectAppPipelines([]);
  await client.close();
});

test('SRTP: a fresh key per stream and per start, in the sender\'s offer; the RtpEndpoint answers with its own', async () => {
  const first = await start(true);
  const info = await first.take('SHOW_CONN_INFO');
  assert.ok(info.srtp, JSON.stringify(info));
  assert.equal(info.srtp.suite, 'AES_CM_128_HMAC_SHA1_80');
  for (const key of [info.srtp.audioKey, info.srtp.videoKey]) assert.equal(Buffer.from(key, 'base64').length, 30);
  assert.notEqual(info.srtp.audioKey, info.srtp.videoKey);
  const { sdpAnswer } = await first.take('SHOW_SDP_ANSWER');
  assert.match(sdpAnswer, /^m=video \d+ RTP\/SAVPF 96\r$/m);
  const answerKeys = [...sdpAnswer.matchAll(/^a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:(\S+)\r$/gm)].map((m) => m[1]);
  assert.equal(answerKeys.length, 2, 'one a=crypto per stream');
  assert.ok(!answerKeys.includes(info.srtp.videoKey), 'the answer carries the media server\'s key, not the sender\'s');
  const second = await start(true);
  const again = await second.take('SHOW_CONN_INFO');
  assert.notEqual(again.srtp?.videoKey, info.srtp.videoKey, 'a new start, new keys');
  await rig().expectAppPipelines([2, 2]);
  await Promise.all([first.close(), second.close()]);
});

closedDuringStartTests(rig, async (delayMs) => (await rig().offer<ServerMessage>((sdpOffer) => ({ id: 'PROCESS_SDP_OFFER', sdpOffer, useSrtp: delayMs > 10 }), ROUTE)).client);
