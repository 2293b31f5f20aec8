/**
 * The typed graph with real Chromium peers, driven by our SDK as an application would: payload
 * types mapped by codec (an H.264 presenter to viewers that number it otherwise, or cannot take
 * it), keyframe requests coalesced per source, and a sink switched between two sources.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { KurentoClient, type EventPayload } from '@kurento-ts/client';
import { waitFor, type Browser, type Site } from '@kurento-ts/test-utils';
import type { MediaServer } from '../../src/index.js';
import { Peers as PeersTab } from '../helpers/peersPage.js';
import { startBrowserRig, stopBrowserRig } from '../helpers/browserRig.js';

let server: MediaServer;
let kurento: KurentoClient;
let site: Site;
let browser: Browser;

before(async () => {
  // Without transcoding, so that a sink that cannot take the codec gets the Error (filters.test.ts transcodes).
  ({ server, kurento, site, browser } = await startBrowserRig({ transcoding: false }));
});

after(async () => {
  await stopBrowserRig({ server, kurento, site, browser });
});

/** The video codecs of the first video m-line, in order. */
function videoCodecs(sdp: string): string[] {
  const section = sdp.split(/\r\n(?=m=)/).find((m) => m.startsWith('m=video')) ?? '';
  const order = (/^m=video \d+ \S+ (.*)$/m.exec(section)?.[1] ?? '').split(' ');
  const names = new Map([...section.matchAll(/a=rtpmap:(\d+) ([\w-]+)\//g)].map((m) => [m[1], m[2]]));
  return order.map((pt) => names.get(pt) ?? '?').filter((n) => !/rtx|red|ulpfec/i.test(n));
}

const Peers = { open: () => PeersTab.open(browser, site, kurento) };

test('an H.264 presenter to a viewer that offers VP8 first: the answer prefers H.264 and the viewer plays it without transcoding', async (t) => {
  const peers = await Peers.open();
  try {
    const presenter = await peers.endpoint('presenter');
    const viewer = await peers.endpoint('viewer');
    const transcoding: EventPayload<'MediaTranscodingStateChanged'>[] = [];
    const errors: EventPayload<'Error'>[] = [];
    await viewer.on('MediaTranscodingStateChanged', (e) => transcoding.push(e));
    await viewer.on('Error', (e) => errors.push(e));
    await presenter.connect(viewer); // before either negotiates, as Kurento apps do
    await peers.negotiate('presenter', { send: 'camera', videoCodecs: ['H264'] });
    const { offer, answer } = await peers.negotiate('viewer', { receive: true });
    assert.equal(videoCodecs(offer)[0], 'VP8', "Chromium's own preference is VP8");
    assert.equal(videoCodecs(answer)[0], 'H264', 'our answer puts the codec the presenter sends first');
    const stats = await waitFor('the viewer decoding H.264', async () => {
      const s = await peers.stats('viewer');
      return (s.inVideo?.framesDecoded ?? 0) > 30 && (s.inAudio?.packetsReceived ?? 0) > 20 ? s : null;
    }, 15_000);
    t.diagnostic(`viewer: ${JSON.stringify(stats)}`);
    assert.equal(stats.inVideo?.codec, 'video/H264');
    const picture = await waitFor('the viewer showing the presenter camera', async () => {
      const p = await peers.tab.evaluate(() => window.pictureDistance('viewer', 'presenter'));
      return p && p.remoteVsBestLocal < 40 ? p : null;
    }, 10_000, 250);
    t.diagnostic(`picture: ${JSON.stringify(picture)}`);
    assert.equal(await viewer.isMediaTranscoding('VIDEO'), false);
    assert.deepEqual(transcoding.map((e) => [e.mediaType, e.state]).sort(), [['AUDIO', 'NOT_TRANSCODING'], ['VIDEO', 'NOT_TRANSCODING']]);
    assert.deepEqual(errors, []);
  } finally {
    await peers.close();
  }
});

test('a viewer that offers only VP8 to an H.264 presenter gets a clear Error event and no mislabelled packets; its audio still flows', async (t) => {
  const peers = await Peers.open();
  try {
    const presenter = await peers.endpoint('presenter');
    const viewer = await peers.endpoint('viewer');
    const errors: EventPayload<'Error'>[] = [];
    await viewer.on('Error', (e) => errors.push(e));
    await presenter.connect(viewer);
    await peers.negotiate('presenter', { send: 'camera', videoCodecs: ['H264'] });
    await peers.negotiate('viewer', { receive: true, videoCodecs: ['VP8'] });
    const error = await waitFor('an Error event on the viewer', () => errors[0], 10_000);
    t.diagnostic(error.description);
    assert.equal(error.errorCode, 40005);
    assert.equal(error.type, 'UNSUPPORTED_MEDIA_TYPE');
    assert.match(error.description, new RegExp(`^VIDEO from ${presenter.id.replace(/[.]/g, '\\.')} is H264/90000 \\(packetization-mode=1;profile-level-id=[0-9a-f]{6}\\), but this element takes only VP8/90000: no video is sent to it`));
    await waitFor('the presenter sending H.264 for a while', async () => {
      const s = await peers.stats('presenter');
      return (s.outVideo?.packetsSent ?? 0) > 100 && s.outVideo?.codec === 'video/H264';
    }, 10_000);
    const stats = await waitFor('audio flowing to the viewer', async () => {
      const s = await peers.stats('viewer');
      return (s.inAudio?.packetsReceived ?? 0) > 50 ? s : null;
    }, 10_000);
    assert.equal(stats.inVideo?.packetsReceived ?? 0, 0, 'not one video packet reached the viewer');
    assert.equal(errors.length, 1, 'reported once');
  } finally {
    await peers.close();
  }
});

test('8 viewers on one presenter: the presenter gets a few keyframe requests a second at most, and a late viewer shows a picture within 1 s', async (t) => {
  const peers = await Peers.open();
  try {
    const presenter = await peers.endpoint('presenter');
    await peers.negotiate('presenter', { send: 'camera' });
    await waitFor('the presenter sending', async () => ((await peers.stats('presenter')).outVideo?.framesEncoded ?? 0) > 10);
    const before = (await peers.stats('presenter')).outVideo?.pliCount ?? 0;
    const startedAt = Date.now();
    const names = Array.from({ length: 8 }, (_, i) => `viewer${i}`);
    await Promise.all(names.map(async (name) => {
      await presenter.connect(await peers.endpoint(name));
      await peers.negotiate(name, { receive: true });
    }));
    await waitFor('every viewer decoding', async () => {
      const all = await Promise.all(names.map((n) => peers.stats(n)));
      return all.every((s) => (s.inVideo?.framesDecoded ?? 0) > 10);
    }, 20_000, 250);
    await new Promise((r) => setTimeout(r, 1000));
    const seconds = (Date.now() - startedAt) / 1000;
    const plis = ((await peers.stats('presenter')).outVideo?.pliCount ?? 0) - before;
    t.diagnostic(`the presenter received ${plis} PLIs in ${seconds.toFixed(1)} s while 8 viewers joined`);
    // One at once and at most one every 300 ms after it.
    assert.ok(plis <= 1 + Math.ceil(seconds / 0.3), `${plis} PLIs in ${seconds.toFixed(1)} s`);
    assert.ok(plis >= 1, 'the viewers did ask');

    const late = await peers.endpoint('late');
    await presenter.connect(late);
    await peers.negotiate('late', { receive: true });
    const shown = await waitFor('the late viewer showing a picture', async () => {
      const s = await peers.stats('late');
      return s.firstFrameMs !== null ? s : null;
    }, 5_000, 50);
    const first = shown.firstFrameMs ?? Infinity;
    t.diagnostic(`late viewer: connected ${shown.connectedMs?.toFixed(0)} ms, first frame ${first.toFixed(0)} ms after the answer`);
    assert.ok(first < 1000, `late viewer's first frame after ${first.toFixed(0)} ms`);
  } finally {
    await peers.close();
  }
});

test('a sink switched to another source (of another size) shows the new picture from its keyframe on: no broken frame, no keyframe request', async (t) => {
  const peers = await Peers.open();
  try {
    const red = await peers.endpoint('red');
    const blue = await peers.endpoint('blue');
    const viewer = await peers.endpoint('viewer');
    // Different sizes: a VP8 delta frame of one decoded on the other's reference is a decode
    // error the viewer would answer with a keyframe request.
    await peers.negotiate('red', { send: '#d00000@320x240', videoCodecs: ['VP8'] });
    await peers.negotiate('blue', { send: '#0000d0@640x360', videoCodecs: ['VP8'] });
    await red.connect(viewer);
    await peers.negotiate('viewer', { receive: true });
    const showing = (source: string, size: string) => waitFor(`the viewer showing ${source}`, async () => {
      const p = await peers.tab.evaluate((s) => window.pictureDistance('viewer', s), source);
      return p && p.remoteVsBestLocal < 25 && p.size === size ? p : null;
    }, 10_000, 100);
    await showing('red', '320x240');
    await waitFor('red flowing for a while', async () => ((await peers.stats('viewer')).inVideo?.framesDecoded ?? 0) > 60, 10_000);
    const before = await peers.stats('viewer');
    assert.deepEqual([before.inVideo?.pliCount, before.inVideo?.framesDropped], [0, 0], 'the first source too started at a keyframe');
    // Blue has just been asked for a keyframe, so the viewer's request waits (coalesced) while
    // blue sends delta frames: they must not reach the viewer.
    await blue.requestKeyframe();
    await new Promise((r) => setTimeout(r, 100));
    await blue.connect(viewer); // replaces red as the viewer's source
    await showing('blue', '640x360');
    await waitFor('blue flowing for a while', async () => ((await peers.stats('viewer')).inVideo?.framesDecoded ?? 0) > (before.inVideo?.framesDecoded ?? 0) + 60, 10_000);
    const after = await peers.stats('viewer');
    t.diagnostic(`viewer before: ${JSON.stringify(before.inVideo)}, after: ${JSON.stringify(after.inVideo)}`);
    assert.equal(after.inVideo?.pliCount, before.inVideo?.pliCount, 'the viewer never had to ask for a keyframe: it got no frame it could not decode');
    assert.ok((after.inVideo?.keyFramesDecoded ?? 0) > (before.inVideo?.keyFramesDecoded ?? 0), 'the new source started with a keyframe');
    assert.ok((after.inVideo?.framesDropped ?? 0) - (before.inVideo?.framesDropped ?? 0) <= 2, 'no frames dropped at the switch');
    const sources = await viewer.getSourceConnections();
    assert.deepEqual(new Set(sources.map((c) => c.source.id)), new Set([blue.id]));
  } finally {
    await peers.close();
  }
});
