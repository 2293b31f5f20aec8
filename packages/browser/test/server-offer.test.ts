/**
 * The other direction of negotiation: the media server offers (WebRtcEndpoint.generateOffer)
 * and the peer answers with processOffer, in kurento-utils callback form. Loopback through a
 * WebRtcEndpoint connected to itself.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import kurentoClient, { type KurentoClientInstance } from 'kurento-client';
import { MediaServer } from '@kurento-ts/media-server';
import { launchChromium, type Browser, waitFor, serve, type Site } from '@kurento-ts/test-utils';
import { bundles, KURENTO_OPTIONS, PROBE, watchConsole } from './helpers/page.js';

const PAGE = readFileSync(new URL('fixtures/blank.html', import.meta.url), 'utf8');

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

test('WebRtcEndpoint.generateOffer → peer.processOffer (callbacks) → processAnswer: the loopback video plays and matches', async (t) => {
  const tab = await browser.context.newPage();
  const problems = watchConsole(tab);
  const pipeline = await kurento.create('MediaPipeline');
  try {
    const endpoint = await pipeline.create('WebRtcEndpoint');
    await endpoint.connect(endpoint);
    const IceCandidate = kurentoClient.getComplexType('IceCandidate');
    const candidateErrors: string[] = [];
    await tab.exposeFunction('sendCandidate', (c: Record<string, unknown>) => void endpoint.addIceCandidate(IceCandidate(c)));
    endpoint.on('IceCandidateFound', (e) => {
      tab.evaluate((c) => window.peer.addIceCandidate(c), e['candidate'] as RTCIceCandidateInit).catch((error: unknown) => candidateErrors.push(String(error)));
    });
    await tab.addInitScript({ path: PROBE });
    await tab.goto(site.url);
    await tab.evaluate(() => {
      probe.watch(document.getElementById('local') as HTMLVideoElement);
      probe.watch(document.getElementById('remote') as HTMLVideoElement);
    });

    const offer = await endpoint.generateOffer();
    const answer = await tab.evaluate((sdpOffer) => new Promise<string>((resolve, reject) => {
      const options = {
        localVideo: document.getElementById('local') as HTMLVideoElement,
        remoteVideo: document.getElementById('remote') as HTMLVideoElement,
        onicecandidate: (candidate: RTCIceCandidate) => window.sendCandidate(candidate.toJSON()),
      };
      window.peer = new kurentoUtils.WebRtcPeer.WebRtcPeerSendrecv(options, function (error) {
        if (error) return reject(error);
        this.processOffer(sdpOffer, (error, sdpAnswer) => (error ? reject(error) : resolve(sdpAnswer)));
      });
    }), offer);
    assert.match(answer, /^v=0\r\n/);
    await endpoint.processAnswer(answer);
    await endpoint.gatherCandidates();

    const frames = await waitFor('remote video presented', async () => {
      const n = await tab.evaluate(() => probe.frames(document.getElementById('remote') as HTMLVideoElement));
      return n > 30 ? n : null;
    }, 15_000);
    const pictures = await waitFor('a remote picture like the local one', async () => {
      const p = await tab.evaluate(() => probe.compare(document.getElementById('local') as HTMLVideoElement, document.getElementById('remote') as HTMLVideoElement));
      return p && p.remoteVsBestLocal < 10 ? p : null;
    }, 10_000, 250);
    t.diagnostic(`frames: ${frames}, pixels: ${JSON.stringify(pictures)}`);
    assert.ok(pictures.remoteVsBlack > 20, 'the remote picture is not black');
    assert.deepEqual(candidateErrors, [], 'every server candidate was added');
    assert.deepEqual(problems, [], 'no errors in the page');
  } finally {
    await tab.evaluate(() => window.peer?.dispose()).catch(() => undefined);
    await tab.close();
    await pipeline.release();
  }
});

declare global {
  interface Window {
    peer: import('../src/index.js').WebRtcPeer;
    sendCandidate(candidate: RTCIceCandidateInit): void;
  }
}
