/**
 * PlayerEndpoint with rtsp:// sources: GStreamer's own RTSP server (gst-rtsp-server, test stream
 * from videotestsrc ! x264enc / vp8enc and Opus) on 127.0.0.1 plays through the player to a
 * Chromium viewer. The server's log tells that stop and release send TEARDOWN; play after stop
 * plays again; the server's end of stream is EndOfStream; bad URLs and a killed GStreamer
 * process are Error events on that player only; missing GStreamer parts are named.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { EventPayload, KurentoClient, PlayerEndpoint } from '@kurento-ts/client';
import { waitFor, type Browser, type Site } from '@kurento-ts/test-utils';
import type { MediaServer } from '../../src/index.js';
import { ProcessingBackend, ProcessingError } from '../../src/processing/index.js';
import { startBrowserRig, stopBrowserRig } from '../helpers/browserRig.js';
import { Peers } from '../helpers/peersPage.js';
import { RtspTestServer } from '../helpers/rtspServer.js';
import { childPids } from '../processing/helpers/units.js';

let server: MediaServer;
let kurento: KurentoClient;
let site: Site;
let browser: Browser;
let rtsp: RtspTestServer;

before(async () => {
  rtsp = await RtspTestServer.start();
  ({ server, kurento, site, browser } = await startBrowserRig());
});

after(async () => {
  await stopBrowserRig({ server, kurento, site, browser });
  await rtsp?.stop();
});

/** A player of `uri` connected to a Chromium viewer, negotiated, not yet playing. */
async function playToViewer(uri: string) {
  const peers = await Peers.open(browser, site, kurento);
  const player = await peers.pipeline.create('PlayerEndpoint', { uri, networkCache: 200 });
  const viewer = await peers.endpoint('viewer');
  await player.connect(viewer);
  await peers.negotiate('viewer', { receive: true });
  return { peers, player, viewer };
}

/** Records the player's Error and EndOfStream events. */
async function watch(player: PlayerEndpoint): Promise<{ errors: EventPayload<'Error'>[]; ended: number }> {
  const seen = { errors: [] as EventPayload<'Error'>[], ended: 0 };
  await player.on('Error', (e) => seen.errors.push(e));
  await player.on('EndOfStream', () => seen.ended++);
  return seen;
}

const framesDecoded = async (peers: Peers): Promise<number> => (await peers.stats('viewer')).inVideo?.framesDecoded ?? 0;

/** Waits for the viewer to decode `frames` more frames than before `action` (e.g. a play). */
async function decodesMore(peers: Peers, what: string, frames: number, action?: () => Promise<void>): Promise<void> {
  const before = await framesDecoded(peers);
  await action?.();
  await waitFor(what, async () => (await framesDecoded(peers)) > before + frames, 20_000);
}

test('rtsp:// H.264 + Opus plays to a Chromium viewer without decoding; stop sends TEARDOWN, play after stop plays again, release sends TEARDOWN', async (t) => {
  const { peers, player } = await playToViewer(rtsp.url('/h264'));
  const seen = await watch(player);
  try {
    await player.play();
    assert.equal(await player.getState(), 'START');
    const stats = await waitFor('the viewer decoding the camera', async () => {
      const s = await peers.stats('viewer');
      return (s.inVideo?.framesDecoded ?? 0) > 20 && (s.inAudio?.packetsReceived ?? 0) > 20 ? s : null;
    }, 20_000);
    t.diagnostic(`video ${JSON.stringify(stats.inVideo)} audio ${JSON.stringify(stats.inAudio)}`);
    assert.equal(stats.inVideo?.codec, 'video/H264');
    assert.equal(stats.inAudio?.codec, 'audio/opus');
    assert.deepEqual(await player.getVideoInfo(), { isSeekable: false, seekableInit: 0, seekableEnd: 0, duration: 0 });
    await assert.rejects(player.setPosition(1000), /cannot be seeked/);
    assert.equal(childPids().length, 1, 'one GStreamer process: the RTSP source (no transcoder)');

    await player.stop();
    assert.equal(await player.getState(), 'STOP');
    await waitFor('TEARDOWN at the server', () => rtsp.count('teardown', '/h264') === 1, 10_000, 50);
    await waitFor('the GStreamer process gone', () => childPids().length === 0, 10_000, 50);

    await decodesMore(peers, 'frames again after stop and play', 20, () => player.play());
    assert.equal(rtsp.count('play', '/h264'), 2, 'a second RTSP session');
    assert.deepEqual(seen.errors, []);
  } finally {
    await peers.close();
  }
  await waitFor('TEARDOWN on release', () => rtsp.count('teardown', '/h264') === 2, 10_000, 50);
  await waitFor('no GStreamer process left', () => childPids().length === 0, 10_000, 50);
});

test('rtsp:// VP8: pause holds the viewer, play resumes it; the server ending the stream is EndOfStream', async () => {
  const { peers, player } = await playToViewer(rtsp.url('/vp8'));
  const seen = await watch(player);
  try {
    await player.play();
    await waitFor('VP8 frames', async () => ((await peers.stats('viewer')).inVideo?.codec === 'video/VP8' && (await framesDecoded(peers)) > 20), 20_000);
    await player.pause();
    assert.equal(await player.getState(), 'PAUSE');
    await new Promise((r) => setTimeout(r, 300)); // what was already on its way
    const held = (await peers.stats('viewer')).inVideo?.packetsReceived ?? 0;
    await new Promise((r) => setTimeout(r, 800));
    assert.ok(((await peers.stats('viewer')).inVideo?.packetsReceived ?? 0) - held < 5, 'nothing is sent while paused');
    await decodesMore(peers, 'frames after resume', 15, () => player.play());
    assert.equal(rtsp.count('play', '/vp8'), 1, 'pause and play kept the session');
    assert.deepEqual(seen.errors, []);
  } finally {
    await peers.close();
  }

  const short = await playToViewer(rtsp.url('/short'));
  const shortSeen = await watch(short.player);
  try {
    await short.player.play();
    await waitFor('EndOfStream after the server’s 2 s stream', () => shortSeen.ended === 1, 20_000, 50);
    assert.equal(await short.player.getState(), 'STOP');
    assert.ok((await framesDecoded(short.peers)) > 10, 'the short stream played');
    assert.deepEqual(shortSeen.errors, []);
    await waitFor('the GStreamer process gone', () => childPids().length === 0, 10_000, 50);
  } finally {
    await short.peers.close();
  }
});

test('rtsp:// bad input: no server, a path the server does not have, a server that is not RTSP: an Error event naming the cause, nothing left running; a new URI after a failure plays', async () => {
  const http: Server = createServer((_req, res) => res.end('not rtsp'));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const pipeline = await kurento.createMediaPipeline();
  try {
    const cases = [
      // Credentials in the URL are not repeated in the error.
      { uri: 'rtsp://admin:secret@127.0.0.1:9/none', shown: 'rtsp://***@127.0.0.1:9/none', cause: /Could not open resource.*Failed to connect/ },
      { uri: rtsp.url('/nothing'), shown: rtsp.url('/nothing'), cause: /Not found.*404/i },
      { uri: `rtsp://127.0.0.1:${(http.address() as AddressInfo).port}/x`, shown: `rtsp://127.0.0.1:${(http.address() as AddressInfo).port}/x`, cause: /Could not (read|receive)/ },
    ];
    for (const { uri, shown, cause } of cases) {
      const player = await pipeline.create('PlayerEndpoint', { uri });
      const seen = await watch(player);
      await player.play();
      const error = await waitFor(`an Error for ${uri}`, () => seen.errors[0], 20_000, 50);
      assert.ok(error.description.includes(`cannot play ${shown}: `), error.description);
      assert.doesNotMatch(error.description, /secret/);
      assert.match(error.description, cause);
      await waitFor('the player stopped', async () => (await player.getState()) === 'STOP', 5000, 50);
    }
    // After a failure, a new URI: the next play opens it (and stop tears it down).
    const retry = await pipeline.create('PlayerEndpoint', { uri: rtsp.url('/nothing') });
    const retrySeen = await watch(retry);
    await retry.play();
    await waitFor('an Error for /nothing', () => retrySeen.errors[0], 20_000, 50);
    const plays = rtsp.count('play', '/h264');
    const teardowns = rtsp.count('teardown', '/h264');
    await retry.setUri(rtsp.url('/h264'));
    await retry.play();
    await waitFor('PLAY of the new URI', () => rtsp.count('play', '/h264') === plays + 1, 20_000, 50);
    await retry.stop();
    await waitFor('its TEARDOWN', () => rtsp.count('teardown', '/h264') === teardowns + 1, 10_000, 50);
    await assert.rejects(pipeline.create('RecorderEndpoint', { uri: rtsp.url('/h264') }), /rtsp:\/\/ is for PlayerEndpoint/);
    await waitFor('no GStreamer process left', () => childPids().length === 0, 10_000, 50);
  } finally {
    await pipeline.release();
    http.close();
  }
});

test('a server that hangs with its connection open: an Error after 5 s without media, nothing left running', async () => {
  const { peers, player } = await playToViewer(rtsp.url('/h264'));
  const seen = await watch(player);
  try {
    await player.play();
    await waitFor('playing', async () => (await framesDecoded(peers)) > 10, 20_000);
    rtsp.freeze();
    try {
      const error = await waitFor('an Error for the silence', () => seen.errors[0], 20_000, 50);
      assert.match(error.description, /the RTSP server sent no media for \d+ ms/);
    } finally {
      rtsp.thaw();
    }
    assert.equal(await player.getState(), 'STOP');
    await waitFor('no GStreamer process left', () => childPids().length === 0, 10_000, 50);
  } finally {
    await peers.close();
  }
});

test('kill -9 of one player’s GStreamer process: an Error on that player only; the other plays on; the first plays again', async () => {
  const a = await playToViewer(rtsp.url('/h264'));
  const b = await playToViewer(rtsp.url('/h264'));
  const seenA = await watch(a.player);
  const seenB = await watch(b.player);
  try {
    await a.player.play();
    await waitFor('A playing', async () => (await framesDecoded(a.peers)) > 10, 20_000);
    const [pidA] = childPids();
    assert.ok(pidA !== undefined);
    await b.player.play();
    await waitFor('B playing', async () => (await framesDecoded(b.peers)) > 10, 20_000);
    process.kill(pidA, 'SIGKILL');
    const error = await waitFor('an Error on A', () => seenA.errors[0], 10_000, 50);
    assert.match(error.description, /was killed by SIGKILL/);
    assert.equal(await a.player.getState(), 'STOP');
    await decodesMore(b.peers, 'B goes on', 20);
    assert.deepEqual(seenB.errors, []);
    assert.equal(await b.player.getState(), 'START');
    await decodesMore(a.peers, 'A plays again', 10, () => a.player.play());
  } finally {
    await a.peers.close();
    await b.peers.close();
  }
  await waitFor('no GStreamer process left', () => childPids().length === 0, 10_000, 50);
});

test('without GStreamer or its RTSP plugin: the answer names what to install', async (t) => {
  const missing = new ProcessingBackend({ python: '/nonexistent/python3' });
  const none = await missing.requireRtsp().then(() => undefined, (e: unknown) => e);
  assert.ok(none instanceof ProcessingError && none.code === 'unavailable');
  assert.match(none.message, /^rtsp:\/\/ sources need GStreamer: .*install the Debian packages python3 python3-gi python3-gst-1.0/);
  const dir = mkdtempSync(join(tmpdir(), 'kts-noplugins-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bare = new ProcessingBackend({ environment: { GST_PLUGIN_SYSTEM_PATH_1_0: dir, GST_PLUGIN_PATH_1_0: dir, GST_REGISTRY_1_0: join(dir, 'registry.bin') } });
  const plugin = await bare.requireRtsp().then(() => undefined, (e: unknown) => e);
  assert.ok(plugin instanceof ProcessingError && plugin.code === 'unavailable');
  assert.match(plugin.message, /^rtsp:\/\/ sources need the GStreamer elements rtspsrc, rtpfunnel, .*install the Debian packages? .*gstreamer1.0-plugins-good/);
  const unit = bare.openRtspSource({ location: rtsp.url('/h264'), latencyMs: 200, label: 'bare' });
  const failure = await unit.started.then(() => undefined, (e: unknown) => e);
  assert.ok(failure instanceof ProcessingError && failure.code === 'unavailable');
  assert.match(failure.message, /rtspsrc.* not installed: .*gstreamer1.0-plugins-good/);
  await waitFor('no GStreamer process left', () => childPids().length === 0, 10_000, 50);
});
