/**
 * The README's example is Kurento's Hello World page, written for kurento-utils (callbacks,
 * global script). It runs here verbatim in headless Chromium with a fake camera, against the
 * real media server driven by the tutorial's application server on the official kurento-client.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import kurentoClient, { type KurentoClientInstance } from 'kurento-client';
import { MediaServer } from '@kurento-ts/media-server';
import { launchChromium, type Browser, waitFor, serve, type Site } from '@kurento-ts/test-utils';
import { helloWorldApp } from './helpers/helloWorldApp.js';
import { bundles, KURENTO_OPTIONS, PROBE, watchConsole } from './helpers/page.js';

/** The README's first ```html block, as is. */
function readmePage(): string {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const page = /```html\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(page, 'README.md has an html example');
  return page;
}

let server: MediaServer;
let kurento: KurentoClientInstance;
let site: Site;
let browser: Browser;

before(async () => {
  server = await MediaServer.start({ port: 0, networkInterfaces: ['127.0.0.1'], logLevel: 'warn' });
  kurento = await kurentoClient(server.url, KURENTO_OPTIONS);
  site = await serve({ '/': readmePage(), ...(await bundles()) }, { '/helloworld': helloWorldApp(kurento) });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await site?.close();
  kurento?.close();
  await server?.stop();
});

test('README Hello World (kurento-utils callbacks, global script): the loopback video plays and matches the camera; Stop disposes', async (t) => {
  const tab = await browser.context.newPage();
  const problems = watchConsole(tab);
  try {
    await tab.addInitScript({ path: PROBE });
    await tab.goto(site.url);
    await tab.evaluate(() => {
      probe.watch(document.getElementById('videoInput') as HTMLVideoElement);
      probe.watch(document.getElementById('videoOutput') as HTMLVideoElement);
    });
    await tab.click('#start');

    const stats = await waitFor('remote video decoded and presented', async () => {
      const s = await tab.evaluate(async () => webRtcPeer && {
        ...(await probe.inbound(webRtcPeer.peerConnection)),
        presented: probe.frames(document.getElementById('videoOutput') as HTMLVideoElement),
      });
      return s && s.video.framesDecoded > 30 && s.presented > 30 ? s : null;
    }, 15_000);
    t.diagnostic(`remote: ${JSON.stringify(stats)}`);
    assert.ok(stats.video.frameWidth >= 320, 'remote video is at least 320 wide');
    assert.ok(stats.audio.packetsReceived > 0, 'remote audio flows');

    const pictures = await waitFor('a remote picture like the local one', async () => {
      const p = await tab.evaluate(() => probe.compare(document.getElementById('videoInput') as HTMLVideoElement, document.getElementById('videoOutput') as HTMLVideoElement));
      return p && p.remoteVsBestLocal < 10 ? p : null;
    }, 10_000, 250);
    t.diagnostic(`pixels: ${JSON.stringify(pictures)}`);
    assert.ok(pictures.remoteVsBlack > 20, 'the remote picture is not black');
    const shown = await tab.evaluate(() => {
      const output = (document.getElementById('videoOutput') as HTMLVideoElement).srcObject as MediaStream;
      const input = document.getElementById('videoInput') as HTMLVideoElement;
      const received = webRtcPeer?.peerConnection.getReceivers().map((r) => r.track) ?? [];
      return {
        remoteIsReceived: output.getTracks().length === 2 && output.getTracks().every((t) => received.includes(t)),
        localIsCamera: (input.srcObject as MediaStream).getTracks().every((t) => probe.streams[0]?.getTracks().includes(t)),
        localMuted: input.muted,
      };
    });
    assert.deepEqual(shown, { remoteIsReceived: true, localIsCamera: true, localMuted: true }, 'videoOutput plays what is received, videoInput the camera, muted');
    assert.deepEqual(problems, [], 'no errors in the page');

    // Stop: the page disposes of its peer (and forgets it); keep a handle to look at it after.
    const live = await tab.evaluate(() => {
      Object.assign(window, { stopped: webRtcPeer });
      return webRtcPeer?.getLocalStream()?.getTracks().map((track) => `${track.kind}:${track.readyState}`).sort();
    });
    assert.deepEqual(live, ['audio:live', 'video:live']);
    await tab.click('#stop');
    const afterStop = await tab.evaluate(() => {
      const peer = (window as unknown as { stopped: NonNullable<typeof webRtcPeer> }).stopped;
      return {
        tracks: probe.streams.flatMap((s) => s.getTracks()).map((track) => track.readyState),
        connectionState: peer.peerConnection.connectionState,
        signalingState: peer.peerConnection.signalingState,
        videoInput: (document.getElementById('videoInput') as HTMLVideoElement).srcObject,
        videoOutput: (document.getElementById('videoOutput') as HTMLVideoElement).srcObject,
      };
    });
    assert.deepEqual(afterStop, { tracks: ['ended', 'ended'], connectionState: 'closed', signalingState: 'closed', videoInput: null, videoOutput: null });
    const manager = await kurento.getServerManager();
    await waitFor('the application released its pipeline', async () => (await manager.getPipelines()).length === 0, 5_000);
    assert.deepEqual(problems, [], 'no errors in the page');
  } finally {
    await tab.close();
  }
});
