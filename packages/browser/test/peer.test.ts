/**
 * WebRtcPeer in the browser on its own (no media server): dispose, and the queue of remote
 * candidates that arrive before the answer. Each test gets a fresh page with the global script.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { launchChromium, type Browser, serve, type Site } from '@kurento-ts/test-utils';
import { bundles, PROBE, watchConsole } from './helpers/page.js';

const PAGE = readFileSync(new URL('fixtures/blank.html', import.meta.url), 'utf8');

let site: Site;
let browser: Browser;

before(async () => {
  site = await serve({ '/': PAGE, ...(await bundles()) });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await site?.close();
});

/** Runs `body` with a fresh page; fails on page errors. */
async function withPage(body: (tab: Page) => Promise<void>): Promise<void> {
  const tab = await browser.context.newPage();
  const problems = watchConsole(tab);
  try {
    await tab.addInitScript({ path: PROBE });
    await tab.goto(site.url);
    await body(tab);
    assert.deepEqual(problems, [], 'no errors in the page');
  } finally {
    await tab.close();
  }
}

test('dispose stops every local track, closes the peer connection and data channel, detaches the videos', () =>
  withPage(async (tab) => {
    const result = await tab.evaluate(async () => {
      const local = document.getElementById('local') as HTMLVideoElement;
      const remote = document.getElementById('remote') as HTMLVideoElement;
      // kurento-utils style: the constructor callback, `this` being the peer.
      const peer = await new Promise<InstanceType<typeof kurentoUtils.WebRtcPeer>>((resolve, reject) => {
        kurentoUtils.WebRtcPeer.WebRtcPeerSendrecv({ localVideo: local, remoteVideo: remote, dataChannels: true }, function (error) {
          if (error) reject(error);
          else resolve(this);
        });
      });
      await peer.generateOffer();
      const tracks = probe.streams.flatMap((s) => s.getTracks());
      const before = {
        tracks: tracks.map((t) => `${t.kind}:${t.readyState}`).sort(),
        shown: local.srcObject === peer.getLocalStream(),
        muted: local.muted,
        instance: peer instanceof kurentoUtils.WebRtcPeer.WebRtcPeerSendrecv && !(peer instanceof kurentoUtils.WebRtcPeer.WebRtcPeerRecvonly),
      };
      peer.dispose();
      peer.dispose(); // harmless
      return {
        before,
        tracks: tracks.map((t) => `${t.kind}:${t.readyState}`).sort(),
        senders: peer.peerConnection.getSenders().map((s) => s.track?.readyState ?? 'none'),
        connectionState: peer.peerConnection.connectionState,
        signalingState: peer.peerConnection.signalingState,
        // Closing the peer connection closes its channels, the close event comes a moment later.
        dataChannel: await Promise.race([
          new Promise((resolve) => peer.dataChannel?.addEventListener('close', () => resolve(peer.dataChannel?.readyState))),
          new Promise((resolve) => setTimeout(() => resolve(peer.dataChannel?.readyState), 2000)),
        ]),
        localVideo: local.srcObject,
        remoteVideo: remote.srcObject,
        offerAfterDispose: await peer.generateOffer().then(() => 'resolved', (e: Error) => e.message),
      };
    });
    assert.deepEqual(result.before, { tracks: ['audio:live', 'video:live'], shown: true, muted: true, instance: true });
    assert.deepEqual(result.tracks, ['audio:ended', 'video:ended'], 'every local track is stopped');
    assert.deepEqual(result.senders, ['ended', 'ended']);
    assert.equal(result.connectionState, 'closed');
    assert.equal(result.signalingState, 'closed');
    assert.equal(result.dataChannel, 'closed');
    assert.equal(result.localVideo, null);
    assert.equal(result.remoteVideo, null);
    assert.equal(result.offerAfterDispose, 'WebRtcPeer disposed');
  }));

test('dispose stops given streams, and camera media that arrives after it', () =>
  withPage(async (tab) => {
    const result = await tab.evaluate(async () => {
      const video = await navigator.mediaDevices.getUserMedia({ video: true });
      const audio = await navigator.mediaDevices.getUserMedia({ audio: true });
      const given = await kurentoUtils.WebRtcPeer.create('sendonly', { videoStream: video, audioStream: audio });
      const sending = given.peerConnection.getTransceivers().map((t) => `${t.sender.track?.kind}:${t.direction}`).sort();
      given.dispose();

      // Disposed while the camera prompt is pending: the callback hears of it, the media is stopped on arrival.
      const asked = probe.streams.length;
      const reported = await new Promise<string>((resolve) => {
        kurentoUtils.WebRtcPeer.WebRtcPeerSendrecv({}, (error) => resolve(error ? error.message : 'no error')).dispose();
      });
      return {
        sending,
        given: [...video.getTracks(), ...audio.getTracks()].map((t) => t.readyState),
        reported,
        late: probe.streams.slice(asked).flatMap((s) => s.getTracks()).map((t) => t.readyState),
      };
    });
    assert.deepEqual(result.sending, ['audio:sendonly', 'video:sendonly']);
    assert.deepEqual(result.given, ['ended', 'ended'], 'given streams are stopped');
    assert.equal(result.reported, 'WebRtcPeer disposed');
    assert.deepEqual(result.late, ['ended', 'ended'], 'media granted after dispose is stopped');
  }));

test('candidates added before processAnswer are queued, then applied in order (callbacks and promises); dispose fails queued ones', () =>
  withPage(async (tab) => {
    const result = await tab.evaluate(async () => {
      const peer = await kurentoUtils.WebRtcPeer.WebRtcPeerRecvonly.create();
      const offer = await peer.generateOffer();
      // The far end: a plain RTCPeerConnection. Its answer carries no candidates; they travel apart.
      const far = new RTCPeerConnection();
      const candidates: RTCIceCandidateInit[] = [];
      far.addEventListener('icecandidate', (e) => e.candidate && candidates.push(e.candidate.toJSON()));
      await far.setRemoteDescription({ type: 'offer', sdp: offer });
      const answer = await far.createAnswer();
      await far.setLocalDescription(answer);
      await new Promise<void>((resolve) => {
        if (far.iceGatheringState === 'complete') resolve();
        far.addEventListener('icegatheringstatechange', () => far.iceGatheringState === 'complete' && resolve());
      });

      const settled: string[] = [];
      const [last, ...rest] = [...candidates].reverse();
      for (const c of rest.reverse()) peer.addIceCandidate(c, (error) => settled.push(error ? `error: ${error.message}` : c.candidate ?? ''));
      const promised = last ? peer.addIceCandidate(last).then(() => settled.push(last.candidate ?? '')) : Promise.resolve();
      await new Promise((r) => setTimeout(r, 100));
      const beforeAnswer = { settled: settled.length, remoteDescription: peer.getRemoteSessionDescriptor() };

      await peer.processAnswer(answer.sdp ?? '');
      await promised;
      await new Promise((r) => setTimeout(r, 0)); // callbacks run in their own microtasks
      const remoteSdp = peer.getRemoteSessionDescriptor()?.sdp ?? '';

      // Queued when the peer is disposed: the callback hears it; later ones fail at once.
      const other = await kurentoUtils.WebRtcPeer.create('recvonly');
      await other.generateOffer();
      const disposedQueued = new Promise<string>((resolve) => other.addIceCandidate(candidates[0]!, (error) => resolve(error ? error.message : 'applied')));
      other.dispose();
      const afterDispose = await other.addIceCandidate(candidates[0]!).then(() => 'applied', (e: Error) => e.message);
      peer.dispose();
      far.close();
      return {
        candidates: candidates.map((c) => c.candidate ?? ''),
        answerHasCandidates: /a=candidate/.test(answer.sdp ?? ''),
        beforeAnswer,
        settled,
        // The SDP form of a candidate leaves out its ufrag (the section has it).
        inRemoteDescription: candidates.map((c) => remoteSdp.includes(`a=${(c.candidate ?? '?').replace(/ ufrag \S+/, '')}\r\n`)),
        disposedQueued: await disposedQueued,
        afterDispose,
      };
    });
    assert.ok(result.candidates.length > 0, 'the far end found candidates');
    assert.equal(result.answerHasCandidates, false);
    assert.deepEqual(result.beforeAnswer, { settled: 0, remoteDescription: null }, 'nothing applied, nothing failed before the answer');
    assert.deepEqual(result.settled, result.candidates, 'every candidate applied, in arrival order');
    assert.deepEqual(result.inRemoteDescription, result.candidates.map(() => true), 'the peer connection has them');
    assert.equal(result.disposedQueued, 'WebRtcPeer disposed');
    assert.equal(result.afterDispose, 'WebRtcPeer disposed');
  }));

test('local candidates found before any listener reach the first one; gathering done too', () =>
  withPage(async (tab) => {
    const result = await tab.evaluate(async () => {
      const peer = await kurentoUtils.WebRtcPeer.create('recvonly', { mediaConstraints: { audio: false } });
      const offer = await peer.generateOffer();
      const pc = peer.peerConnection;
      await new Promise<void>((resolve) => {
        if (pc.iceGatheringState === 'complete') resolve();
        pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
      });
      await new Promise((r) => setTimeout(r, 100)); // the end-of-candidates event follows the state change
      const heard: string[] = [];
      peer.on('icecandidate', function (candidate) {
        heard.push(this === peer ? candidate.candidate : 'wrong this');
      });
      peer.on('candidategatheringdone', () => heard.push('done'));
      const media = offer.split('\r\n').filter((l) => l.startsWith('m=')).map((l) => `${l.split(' ')[0]}:${/a=recvonly/.test(offer)}`);
      peer.dispose();
      return { heard, media };
    });
    assert.deepEqual(result.media, ['m=video:true'], 'a recvonly offer, video only when audio: false');
    assert.ok(result.heard.length >= 2, `candidates then done: ${JSON.stringify(result.heard)}`);
    assert.equal(result.heard.at(-1), 'done');
    assert.ok(result.heard.slice(0, -1).every((c) => c.startsWith('candidate:')), JSON.stringify(result.heard));
  }));
