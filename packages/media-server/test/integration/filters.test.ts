/**
 * Filters and transcoding with real Chromium peers, through the GStreamer processing backend:
 * a mirrored loopback, bad commands refused, transcoding where a sink takes no codec of its
 * source (and none where it does), a filter process killed while another call goes on.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { KurentoClient, type EventPayload, type MediaElement } from '@kurento-ts/client';
import { waitFor, type Browser, type Site } from '@kurento-ts/test-utils';
import type { MediaServer } from '../../src/index.js';
import { codecsOf, makeFixture, probe } from '../media/mediaTools.js';
import { Peers } from '../helpers/peersPage.js';
import { startBrowserRig, stopBrowserRig } from '../helpers/browserRig.js';

let server: MediaServer;
let kurento: KurentoClient;
let site: Site;
let browser: Browser;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kurento-ts-filters-'));
  ({ server, kurento, site, browser } = await startBrowserRig({ mediaRoots: [dir] }));
});

after(async () => {
  await stopBrowserRig({ server, kurento, site, browser });
  rmSync(dir, { recursive: true, force: true });
});

const RED = '#d00000';
const BLUE = '#0000d0';
const isRed = ([r, g, b]: [number, number, number]) => r > 120 && g < 80 && b < 80;
const isBlue = ([r, g, b]: [number, number, number]) => b > 120 && r < 80 && g < 80;

/** A loopback through `filter`: the page sends a picture red on the left and blue on the right, and plays what comes back. */
async function loopThrough(peers: Peers, filter: MediaElement): Promise<void> {
  const endpoint = await peers.endpoint('loop');
  await endpoint.connect(filter);
  await filter.connect(endpoint);
  await peers.negotiate('loop', { send: `${RED}|${BLUE}@320x240`, receive: true, videoCodecs: ['VP8'] });
}

/** Who the process of a filter's unit is (server-side truth, for the crash test). */
const unitPid = (id: string): number | undefined => (server.registry.resolve(id) as unknown as { unit?: { pid?: number } } | undefined)?.unit?.pid;

test("GStreamerFilter('videoflip method=horizontal-flip') in a loopback: the picture comes back mirrored", async (t) => {
  const peers = await Peers.open(browser, site, kurento);
  try {
    const flip = await peers.pipeline.create('GStreamerFilter', { command: 'videoflip method=horizontal-flip' });
    assert.equal(await flip.getCommand(), 'videoflip method=horizontal-flip');
    await loopThrough(peers, flip);
    const halves = await waitFor('a mirrored picture (blue left, red right)', async () => {
      const h = await peers.tab.evaluate(() => window.halfColours('loop'));
      return h && isBlue(h[0]) && isRed(h[1]) ? h : null;
    }, 20_000, 200);
    t.diagnostic(`left ${halves[0].map(Math.round).join(',')} right ${halves[1].map(Math.round).join(',')}`);
    // A live change: flipped back without renegotiation.
    await flip.setElementProperty('method', 'none');
    await waitFor('the picture as sent again (red left)', async () => {
      const h = await peers.tab.evaluate(() => window.halfColours('loop'));
      return h && isRed(h[0]) && isBlue(h[1]);
    }, 10_000, 100);
    assert.ok(((await peers.stats('loop')).inAudio?.packetsReceived ?? 0) > 0, 'audio passes through the video filter');
  } finally {
    await peers.close();
  }
});

test('GStreamerFilter bad input: a command that does not parse, a pipeline, a missing or forbidden element, a missing property', async () => {
  const pipeline = await kurento.createMediaPipeline();
  try {
    const refused = async (command: string, message: RegExp) => {
      await assert.rejects(pipeline.create('GStreamerFilter', { command }), (e: Error & { code?: number }) => {
        assert.match(e.message, message);
        return true;
      });
    };
    await refused('videoflip method=', /method|value|parse/i);
    await refused('videoflip ! videobalance', /one element|pipeline|!/i);
    await refused('nosuchelement', /nosuchelement/);
    await refused('filesink location=/tmp/x', /filesink/);
    const flip = await pipeline.create('GStreamerFilter', { command: 'videoflip' });
    await assert.rejects(flip.setElementProperty('colour', 'red'), /no property 'colour'/);
    assert.equal((await pipeline.getChildren()).length, 1, 'nothing left of the refused ones');
  } finally {
    await pipeline.release();
  }
});

test('an H.264-only presenter to a VP8-only viewer is transcoded (TRANSCODING), an H.264 viewer of the same presenter is not', async (t) => {
  const peers = await Peers.open(browser, site, kurento);
  try {
    const presenter = await peers.endpoint('presenter');
    const vp8 = await peers.endpoint('vp8');
    const h264 = await peers.endpoint('h264');
    const states: Record<string, string[]> = { vp8: [], h264: [] };
    for (const [name, endpoint] of [['vp8', vp8], ['h264', h264]] as const) {
      await endpoint.on('MediaTranscodingStateChanged', (e: EventPayload<'MediaTranscodingStateChanged'>) => void states[name]?.push(`${e.mediaType}:${e.state}`));
      await presenter.connect(endpoint);
    }
    await peers.negotiate('presenter', { send: 'camera', videoCodecs: ['H264'] });
    await peers.negotiate('vp8', { receive: true, videoCodecs: ['VP8'] });
    await peers.negotiate('h264', { receive: true });
    const stats = await waitFor('the VP8 viewer decoding', async () => {
      const s = await peers.stats('vp8');
      return (s.inVideo?.framesDecoded ?? 0) > 20 ? s : null;
    }, 20_000, 200);
    t.diagnostic(`vp8 viewer: ${JSON.stringify(stats.inVideo)}`);
    assert.equal(stats.inVideo?.codec, 'video/VP8');
    await waitFor('the H.264 viewer decoding', async () => ((await peers.stats('h264')).inVideo?.framesDecoded ?? 0) > 20, 15_000, 200);
    assert.equal((await peers.stats('h264')).inVideo?.codec, 'video/H264');
    assert.equal(await vp8.isMediaTranscoding('VIDEO'), true);
    assert.equal(await h264.isMediaTranscoding('VIDEO'), false);
    assert.ok(states['vp8']?.includes('VIDEO:TRANSCODING'), `vp8 viewer events: ${states['vp8']?.join(', ')}`);
    assert.ok(states['h264']?.includes('VIDEO:NOT_TRANSCODING') && !states['h264']?.includes('VIDEO:TRANSCODING'), `h264 viewer events: ${states['h264']?.join(', ')}`);
  } finally {
    await peers.close();
  }
});

test('a recorder whose profile cannot hold the source’s codec records through a transcoder: VP8 into MP4 becomes H.264', async () => {
  const peers = await Peers.open(browser, site, kurento);
  try {
    const camera = await peers.endpoint('camera');
    const path = join(dir, 'transcoded.mp4');
    const recorder = await peers.pipeline.create('RecorderEndpoint', { uri: `file://${path}`, mediaProfile: 'MP4_VIDEO_ONLY' });
    await camera.connect(recorder);
    await peers.negotiate('camera', { send: 'camera', videoCodecs: ['VP8'] });
    const recording = recorder.once('Recording');
    await recorder.record();
    await recording;
    assert.equal(await recorder.isMediaTranscoding('VIDEO'), true);
    await new Promise((r) => setTimeout(r, 3000));
    await recorder.stopAndWait();
    const facts = await probe(path);
    assert.deepEqual(codecsOf(facts), ['h264']);
    assert.ok(facts.duration > 1.5, `duration ${facts.duration}`);
  } finally {
    await peers.close();
  }
});

test('a PlayerEndpoint playing H.264/AAC MP4 to a Chromium viewer: the video goes as it is, the AAC is transcoded to Opus and heard', async (t) => {
  const file = await makeFixture(dir, 'h264-aac.mp4', 5);
  const peers = await Peers.open(browser, site, kurento);
  try {
    const player = await peers.pipeline.create('PlayerEndpoint', { uri: `file://${file}` });
    const viewer = await peers.endpoint('viewer');
    await player.connect(viewer);
    await peers.negotiate('viewer', { receive: true });
    await player.play();
    const stats = await waitFor('the viewer hearing the AAC as Opus', async () => {
      const s = await peers.stats('viewer');
      return (s.inVideo?.framesDecoded ?? 0) > 20 && (s.inAudio?.loudestRms ?? 0) > 0.03 ? s : null;
    }, 20_000, 200);
    t.diagnostic(`viewer: ${JSON.stringify(stats.inVideo)} audio ${JSON.stringify(stats.inAudio)}`);
    assert.equal(stats.inAudio?.codec, 'audio/opus');
    assert.equal(stats.inVideo?.codec, 'video/H264');
    assert.equal(await viewer.isMediaTranscoding('AUDIO'), true);
    assert.equal(await viewer.isMediaTranscoding('VIDEO'), false);
  } finally {
    await peers.close();
  }
});

test('kill -9 of one filter’s process while two calls run: that filter raises Error, the other call keeps its picture', async (t) => {
  const one = await Peers.open(browser, site, kurento);
  const two = await Peers.open(browser, site, kurento);
  try {
    const flips = [await one.pipeline.create('GStreamerFilter', { command: 'videoflip method=horizontal-flip' }), await two.pipeline.create('GStreamerFilter', { command: 'videoflip method=horizontal-flip' })] as const;
    const errors: EventPayload<'Error'>[] = [];
    await flips[0].on('Error', (e) => errors.push(e));
    await loopThrough(one, flips[0]);
    await loopThrough(two, flips[1]);
    for (const peers of [one, two]) {
      await waitFor('a mirrored picture', async () => {
        const h = await peers.tab.evaluate(() => window.halfColours('loop'));
        return h && isBlue(h[0]) && isRed(h[1]);
      }, 20_000, 200);
    }
    const pid = unitPid(flips[0].id);
    assert.ok(pid, 'the filter runs in a process');
    process.kill(pid, 'SIGKILL');
    const error = await waitFor('the Error event', () => errors[0], 5_000, 50);
    t.diagnostic(error.description);
    const before = (await two.stats('loop')).inVideo?.framesDecoded ?? 0;
    await new Promise((r) => setTimeout(r, 1500));
    const after = (await two.stats('loop')).inVideo?.framesDecoded ?? 0;
    assert.ok(after > before + 20, `the other call goes on (${before} → ${after} frames)`);
    const h = await two.tab.evaluate(() => window.halfColours('loop'));
    assert.ok(h && isBlue(h[0]) && isRed(h[1]), 'still mirrored');
    await flips[0].release(); // a failed filter can be released
  } finally {
    await one.close();
    await two.close();
  }
});
