/**
 * One to many on one pipeline, with the promise API of the ES module build: a sendonly peer
 * publishes into WebRtcEndpoint A, A.connect(B), a recvonly peer plays what B sends. Both are
 * plain WebRtcEndpoints, as in Kurento's one-to-many tutorial.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import kurentoClient, { type KurentoClientInstance, type WebRtcEndpoint } from 'kurento-client';
import { MediaServer } from '@kurento-ts/media-server';
import { launchChromium, type Browser, waitFor, serve, type Site } from '@kurento-ts/test-utils';
import { bundles, KURENTO_OPTIONS, PROBE, watchConsole } from './helpers/page.js';

const PAGE = readFileSync(new URL('fixtures/one-to-many.html', import.meta.url), 'utf8');

/** The directions of the audio and video sections of an SDP, in order. */
function directions(sdp: string): string[] {
  return sdp.split(/\r\n(?=m=)/).slice(1).filter((m) => /^m=(audio|video)/.test(m)).map((m) => /a=(sendrecv|sendonly|recvonly|inactive)/.exec(m)?.[1] ?? 'sendrecv');
}

let server: MediaServer;
let kurento: KurentoClientInstance;
let site: Site;
let browser: Browser;

before(async () => {
  server = await MediaServer.start({ port: 0, networkInterfaces: ['127.0.0.1'], logLevel: 'warn' });
  kurento = await kurentoClient(server.url, KURENTO_OPTIONS);
  site = await serve({ '/': PAGE, ...(await bundles()) });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await site?.close();
  kurento?.close();
  await server?.stop();
});

test('sendonly peer → WebRtcEndpoint A → B → recvonly peer (promise API, ES module): the viewer plays the presenter camera', async (t) => {
  const tab = await browser.context.newPage();
  const problems = watchConsole(tab);
  const pipeline = await kurento.create('MediaPipeline');
  try {
    const IceCandidate = kurentoClient.getComplexType('IceCandidate');
    const endpoints: Record<string, WebRtcEndpoint> = {
      presenter: await pipeline.create('WebRtcEndpoint'),
      viewer: await pipeline.create('WebRtcEndpoint'),
    };
    await endpoints['presenter']!.connect(endpoints['viewer']!);
    await tab.exposeFunction('sendCandidate', (name: string, c: Record<string, unknown>) => void endpoints[name]!.addIceCandidate(IceCandidate(c)));
    await tab.addInitScript({ path: PROBE });
    await tab.goto(site.url);
    await tab.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
    await tab.evaluate(() => {
      probe.watch(document.getElementById('presenterVideo') as HTMLVideoElement);
      probe.watch(document.getElementById('viewerVideo') as HTMLVideoElement);
    });

    const candidateErrors: string[] = [];
    // The application-server side of each peer: offer in, answer out, candidates both ways.
    const negotiate = async (name: string, mode: string, video: string): Promise<{ offer: string; answer: string }> => {
      const endpoint = endpoints[name]!;
      endpoint.on('IceCandidateFound', (e) => {
        tab.evaluate(([n, c]) => window.addCandidate(n, c), [name, e['candidate'] as RTCIceCandidateInit] as const).catch((error: unknown) => candidateErrors.push(String(error)));
      });
      const offer = await tab.evaluate(([n, m, v]) => window.startPeer(n, m, v), [name, mode, video] as const);
      const answer = await endpoint.processOffer(offer);
      await tab.evaluate(([n, a]) => window.processAnswer(n, a), [name, answer] as const);
      await endpoint.gatherCandidates();
      return { offer, answer };
    };
    const presenter = await negotiate('presenter', 'sendonly', 'presenterVideo');
    const viewer = await negotiate('viewer', 'recvonly', 'viewerVideo');
    assert.deepEqual(directions(presenter.offer), ['sendonly', 'sendonly'], 'presenter offers sendonly audio and video');
    assert.deepEqual(directions(presenter.answer), ['recvonly', 'recvonly'], 'endpoint A answers recvonly');
    assert.deepEqual(directions(viewer.offer), ['recvonly', 'recvonly'], 'viewer offers recvonly audio and video');
    assert.deepEqual(directions(viewer.answer), ['sendonly', 'sendonly'], 'endpoint B answers sendonly');

    const stats = await waitFor('viewer video decoded and presented', async () => {
      const s = await tab.evaluate(async () => ({
        ...(await probe.inbound(window.peers['viewer']!.peerConnection)),
        presented: probe.frames(document.getElementById('viewerVideo') as HTMLVideoElement),
      }));
      return s.video.framesDecoded > 30 && s.presented > 30 ? s : null;
    }, 15_000);
    t.diagnostic(`viewer: ${JSON.stringify(stats)}`);
    assert.ok(stats.audio.packetsReceived > 0, 'viewer audio flows');
    const pictures = await waitFor('a viewer picture like the presenter camera', async () => {
      const p = await tab.evaluate(() => probe.compare(document.getElementById('presenterVideo') as HTMLVideoElement, document.getElementById('viewerVideo') as HTMLVideoElement));
      return p && p.remoteVsBestLocal < 10 ? p : null;
    }, 10_000, 250);
    t.diagnostic(`pixels: ${JSON.stringify(pictures)}`);
    assert.ok(pictures.remoteVsBlack > 20, 'the viewer picture is not black');

    const roles = await tab.evaluate(() => ({
      viewerShowsReceived: ((document.getElementById('viewerVideo') as HTMLVideoElement).srcObject as MediaStream).getTracks()
        .every((t) => window.peers['viewer']!.peerConnection.getReceivers().some((r) => r.track === t)),
      cameraRequests: probe.streams.length,
      viewerLocal: window.peers['viewer']!.getLocalStream() ?? null,
      viewerSenders: window.peers['viewer']!.peerConnection.getSenders().filter((s) => s.track).length,
      presenterRemoteTracks: window.peers['presenter']!.getRemoteStream().getTracks().length,
    }));
    assert.deepEqual(roles, { viewerShowsReceived: true, cameraRequests: 1, viewerLocal: null, viewerSenders: 0, presenterRemoteTracks: 0 }, 'only the presenter used the camera; it received nothing');
    assert.deepEqual(candidateErrors, [], 'every server candidate was added');
    assert.deepEqual(problems, [], 'no errors in the page');
  } finally {
    await tab.evaluate(() => Object.values(window.peers ?? {}).forEach((p) => p.dispose())).catch(() => undefined);
    await tab.close();
    await pipeline.release();
  }
});

declare global {
  interface Window {
    peers: Record<string, import('../src/index.js').WebRtcPeer>;
    startPeer(name: string, mode: string, video: string): Promise<string>;
    processAnswer(name: string, sdpAnswer: string): Promise<void>;
    addCandidate(name: string, candidate: RTCIceCandidateInit): Promise<void>;
  }
}
