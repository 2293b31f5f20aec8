/**
 * MediaElement, PassThrough and WebRtcEndpoint through the client, against the real server:
 * connections, stats and flow queries, properties, SDP negotiation and its errors, and two
 * endpoints of the server negotiating and connecting ICE with each other over loopback.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { MediaServer } from '@kurento-ts/media-server';
import { KurentoClient, type EventPayload, type MediaPipeline, type WebRtcEndpoint } from '../src/index.js';
import { rejectsWith, startServer, waitFor } from './helpers.js';

let server: MediaServer;
let kurento: KurentoClient;
let pipeline: MediaPipeline;
before(async () => {
  server = await startServer();
  kurento = await KurentoClient.connect(server.url);
  pipeline = await kurento.createMediaPipeline();
});
after(async () => {
  await pipeline.release();
  await kurento.close();
  await server.stop();
});

test('MediaElement: connect, disconnect, source and sink connections, with media types and descriptions', async () => {
  const a = await pipeline.create('PassThrough');
  const b = await pipeline.create('WebRtcEndpoint');
  await a.connect(b);
  const sinks = await a.getSinkConnections();
  assert.deepEqual(sinks.map((c) => [c.source, c.sink, c.type, c.sourceDescription, c.sinkDescription]), [
    [a, b, 'AUDIO', 'default', 'default'],
    [a, b, 'VIDEO', 'default', 'default'],
    [a, b, 'DATA', 'default', 'default'],
  ]);
  assert.ok(sinks.every((c) => !('__module__' in c) && !('__type__' in c)));
  assert.deepEqual((await b.getSourceConnections('VIDEO')).map((c) => [c.source, c.type]), [[a, 'VIDEO']]);
  assert.deepEqual(await b.getSinkConnections(), []);
  assert.deepEqual((await a.getSinkConnections('AUDIO', 'default')).length, 1);
  assert.deepEqual(await a.getSinkConnections('AUDIO', 'other'), []);
  await a.disconnect(b, 'AUDIO');
  assert.deepEqual((await a.getSinkConnections()).map((c) => c.type), ['VIDEO', 'DATA']);
  await a.disconnect(b);
  assert.deepEqual(await b.getSourceConnections(), []);
  await a.connect(b, 'VIDEO', 'default', 'default');
  assert.deepEqual((await a.getSinkConnections()).map((c) => c.type), ['VIDEO']);
  // Elements of different pipelines cannot be connected.
  const other = await kurento.createMediaPipeline();
  const c = await other.create('PassThrough');
  await rejectsWith(a.connect(c), 40004, 'CONNECT_ERROR');
  await rejectsWith(a.connect(c, 'SOUND' as 'AUDIO'), 40107, 'MEDIA_OBJECT_ILLEGAL_PARAM_ERROR');
  await other.release();
  await a.release();
  await b.release();
});

test('MediaElement: stats, flow and transcoding queries, encoder bitrates', async () => {
  const pt = await pipeline.create('PassThrough');
  const stats = await pt.getStats();
  const entries = Object.values(stats);
  assert.ok(entries.some((s) => s.type === 'element'));
  assert.ok(entries.some((s) => s.type === 'inboundrtp'));
  assert.ok(entries.every((s) => typeof s.id === 'string' && typeof s.timestampMillis === 'number' && !('__type__' in s)));
  const video = Object.values(await pt.getStats('VIDEO'));
  assert.ok(video.filter((s) => s.type === 'inboundrtp').every((s) => s['mediaType'] === 'VIDEO'));
  assert.equal(await pt.isMediaFlowingIn('VIDEO'), false);
  assert.equal(await pt.isMediaFlowingIn('AUDIO', 'default'), false);
  assert.equal(await pt.isMediaFlowingOut('VIDEO'), false);
  assert.equal(await pt.isMediaTranscoding('AUDIO'), false);
  assert.equal(await pt.isMediaTranscoding('VIDEO', 'default'), false);
  await rejectsWith(pt.isMediaFlowingIn(undefined as unknown as 'AUDIO'), 40107, 'MEDIA_OBJECT_ILLEGAL_PARAM_ERROR');
  for (const [get, set] of [
    [() => pt.getEncoderBitrate(), (v: number) => pt.setEncoderBitrate(v)],
    [() => pt.getMinEncoderBitrate(), (v: number) => pt.setMinEncoderBitrate(v)],
    [() => pt.getMaxEncoderBitrate(), (v: number) => pt.setMaxEncoderBitrate(v)],
  ] as const) {
    assert.equal(await get(), 0);
    await set(300_000);
    assert.equal(await get(), 300_000);
  }
  await rejectsWith(pt.setEncoderBitrate(1.5), 40107, 'MEDIA_OBJECT_ILLEGAL_PARAM_ERROR');
  await pt.release();
});

test('WebRtcEndpoint and BaseRtpEndpoint properties', async () => {
  const ep = await pipeline.create('WebRtcEndpoint', { recvonly: false, useDataChannels: false, certificateKeyType: 'ECDSA' });
  assert.equal(await ep.getNetworkInterfaces(), '127.0.0.1');
  await ep.setNetworkInterfaces('127.0.0.1');
  assert.equal(await ep.getIceTcp(), true);
  await ep.setIceTcp(false);
  assert.equal(await ep.getIceTcp(), false);
  await ep.setStunServerAddress('127.0.0.1');
  assert.equal(await ep.getStunServerAddress(), '127.0.0.1');
  await ep.setStunServerPort(3479);
  assert.equal(await ep.getStunServerPort(), 3479);
  await ep.setTurnUrl('user:pass@127.0.0.1:3478');
  assert.equal(await ep.getTurnUrl(), 'user:pass@127.0.0.1:3478');
  await ep.setExternalIPv4('192.0.2.1');
  assert.equal(await ep.getExternalIPv4(), '192.0.2.1');
  await ep.setExternalIPv6('2001:db8::1');
  assert.equal(await ep.getExternalIPv6(), '2001:db8::1');
  assert.deepEqual(await ep.getICECandidatePairs(), []);
  assert.deepEqual(await ep.getIceConnectionState(), [{ streamId: '1', componentId: 1, state: 'DISCONNECTED' }]);
  assert.equal(await ep.getMediaState(), 'DISCONNECTED');
  assert.equal(await ep.getConnectionState(), 'DISCONNECTED');
  const bandwidths = [
    [() => ep.getMinVideoRecvBandwidth(), (v: number) => ep.setMinVideoRecvBandwidth(v)],
    [() => ep.getMinVideoSendBandwidth(), (v: number) => ep.setMinVideoSendBandwidth(v)],
    [() => ep.getMaxVideoSendBandwidth(), (v: number) => ep.setMaxVideoSendBandwidth(v)],
    [() => ep.getMaxAudioRecvBandwidth(), (v: number) => ep.setMaxAudioRecvBandwidth(v)],
    [() => ep.getMaxVideoRecvBandwidth(), (v: number) => ep.setMaxVideoRecvBandwidth(v)],
    [() => ep.getMtu(), (v: number) => ep.setMtu(v)],
  ] as const;
  for (const [get, set] of bandwidths) {
    assert.equal(typeof (await get()), 'number');
    await set(1000);
    assert.equal(await get(), 1000);
  }
  await rejectsWith(ep.setMtu('big' as unknown as number), 40107, 'MEDIA_OBJECT_ILLEGAL_PARAM_ERROR');
  await ep.requestKeyframe(); // no peer yet: a no-op
  await ep.release();
});

test('SdpEndpoint errors: 40201 for garbage, 40202/40203 before negotiation, 40209 answer without offer, 40401 bad candidate', async () => {
  const ep = await pipeline.create('WebRtcEndpoint');
  await rejectsWith(ep.processOffer('garbage'), 40201, 'SDP_PARSE_ERROR');
  await rejectsWith(ep.processOffer('v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n'), 40205, 'SDP_END_POINT_PROCESS_OFFER_ERROR');
  await rejectsWith(ep.getLocalSessionDescriptor(), 40202, 'SDP_END_POINT_NO_LOCAL_SDP_ERROR');
  await rejectsWith(ep.getRemoteSessionDescriptor(), 40203, 'SDP_END_POINT_NO_REMOTE_SDP_ERROR');
  await rejectsWith(ep.processAnswer('v=0\r\n'), 40209, 'SDP_END_POINT_NOT_OFFER_GENERATED');
  await rejectsWith(ep.addIceCandidate({ candidate: 'hello', sdpMid: '0', sdpMLineIndex: 0 }), 40401, 'ICE_ADD_CANDIDATE_ERROR');
  await rejectsWith(ep.generateOffer({ offerToReceiveAudio: false, offerToReceiveVideo: false }), 40204, 'SDP_END_POINT_GENERATE_OFFER_ERROR');
  await ep.release();
});

test('two endpoints negotiate through the client: offer/answer, trickle ICE, state events, selected pair', async () => {
  const caller = await pipeline.create('WebRtcEndpoint');
  const callee = await pipeline.create('WebRtcEndpoint');
  // Trickle ICE in both directions, as an application would relay it to a browser.
  const found: Record<'caller' | 'callee', EventPayload<'IceCandidateFound'>[]> = { caller: [], callee: [] };
  const relay = (from: WebRtcEndpoint, to: WebRtcEndpoint, key: 'caller' | 'callee') =>
    from.on('IceCandidateFound', (event) => {
      found[key].push(event);
      to.addIceCandidate(event.candidate).catch(() => undefined);
    });
  await relay(caller, callee, 'caller');
  await relay(callee, caller, 'callee');
  const gathered = [caller.once('IceGatheringDone'), callee.once('IceGatheringDone')];
  const connected = caller.once('ConnectionStateChanged');
  const pair = caller.once('NewCandidatePairSelected');
  const iceStates: string[] = [];
  await caller.on('IceComponentStateChanged', (e) => iceStates.push(e.state));
  const started = caller.once('MediaSessionStarted');

  const offer = await caller.generateOffer();
  assert.match(offer, /^v=0\r\n/);
  const answer = await callee.processOffer(offer);
  assert.match(answer, /^v=0\r\n/);
  await rejectsWith(callee.processOffer(offer), 40208, 'SDP_END_POINT_ALREADY_NEGOTIATED');
  const local = await caller.processAnswer(answer);
  assert.equal(/a=ice-ufrag:(\S+)/.exec(local)?.[1], /a=ice-ufrag:(\S+)/.exec(await caller.getLocalSessionDescriptor())?.[1], 'processAnswer returns the local description');
  await rejectsWith(caller.processAnswer(answer), 40210, 'SDP_END_POINT_ANSWER_ALREADY_PROCCESED');
  assert.equal(await caller.getRemoteSessionDescriptor(), answer);
  assert.equal(await callee.getRemoteSessionDescriptor(), offer);
  await caller.gatherCandidates();
  await callee.gatherCandidates();

  const [done] = await Promise.all(gathered);
  assert.equal(done?.type, 'IceGatheringDone');
  assert.equal(done?.source, caller);
  assert.ok(found.caller.length > 0 && found.callee.length > 0);
  for (const event of found.caller) {
    assert.equal(event.source, caller);
    assert.equal(event.type, 'IceCandidateFound');
    assert.match(event.timestampMillis, /^\d+$/);
    assert.deepEqual(Object.keys(event.candidate).sort(), ['candidate', 'sdpMLineIndex', 'sdpMid']);
    assert.match(event.candidate.candidate, /127\.0\.0\.1/);
  }
  const change = await connected;
  assert.deepEqual([change.oldState, change.newState], ['DISCONNECTED', 'CONNECTED']);
  const selected = await pair;
  assert.match(selected.candidatePair.localCandidate, /127\.0\.0\.1/);
  await started;
  assert.equal(await caller.getConnectionState(), 'CONNECTED');
  await waitFor('ICE to report a connected state', () => iceStates.includes('CONNECTED') || iceStates.includes('READY'));
  const [pairs] = [await caller.getICECandidatePairs()];
  assert.equal(pairs.length, 1);
  assert.equal(pairs[0]?.localCandidate, selected.candidatePair.localCandidate);
  assert.ok(['CONNECTED', 'READY'].includes((await caller.getIceConnectionState())[0]?.state ?? ''));
  await caller.requestKeyframe();
  await caller.release();
  await callee.release();
});
