/**
 * Magic Mirror end to end, as users run it: `npm start -w tutorials/magic-mirror` (media on
 * 127.0.0.1, free ports), headless Chromium whose fake camera shows a face (python3-skimage's
 * astronaut) or a picture without one (SMPTE bars). The returning picture is compared with the
 * local one, cell by cell: the hat is where the face is, and nothing else changes. Then the same
 * tutorial on a GStreamer without its OpenCV plugin: the page says what to install.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PAGE_PROBE, waitFor } from '@kurento-ts/test-utils';
import { BrowserRun, MEDIA_WAIT_MS, PICTURE_HEIGHT, PICTURE_WIDTH, type Participant } from '@kurento-ts/tutorial-kit/testing';
import { magicMirror } from '../src/tutorial.js';

/** Where OpenCV finds the astronaut's face in the 640×480 picture (the media server's processing tests measure it). */
const FACE = { x: 217, y: 48, width: 119, height: 119 };
/** Cells of the PICTURE_WIDTH × PICTURE_HEIGHT snapshots. */
interface Box { x0: number; y0: number; x1: number; y1: number }
const scale = PICTURE_WIDTH / 640;
/** The hat (Kurento's placement: -0.35, -1.2, 1.6, 1.6 of the face), clipped at the top, shrunk a cell for edges. */
const HAT: Box = {
  x0: Math.ceil((FACE.x - 0.35 * FACE.width) * scale) + 1,
  y0: 0,
  x1: Math.floor((FACE.x + 1.25 * FACE.width) * scale) - 1,
  y1: Math.floor((FACE.y + 0.4 * FACE.height) * scale) - 1,
};
/** Around the hat, grown by 3 cells: everything outside it must be as sent. */
const AROUND_HAT: Box = { x0: HAT.x0 - 3, y0: 0, x1: HAT.x1 + 3, y1: HAT.y1 + 3 };

const inside = (b: Box, x: number, y: number): boolean => x >= b.x0 && x <= b.x1 && y >= b.y0 && y <= b.y1;

/** Mean absolute difference (0..255 per channel) of two snapshots over the cells `where` accepts. */
function difference(a: Uint8Array, b: Uint8Array, where: (x: number, y: number) => boolean): number {
  let sum = 0;
  let n = 0;
  for (let y = 0; y < PICTURE_HEIGHT; y++) {
    for (let x = 0; x < PICTURE_WIDTH; x++) {
      if (!where(x, y)) continue;
      for (let c = 0; c < 3; c++) {
        const i = (y * PICTURE_WIDTH + x) * 3 + c;
        sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
        n++;
      }
    }
  }
  return Math.round((sum / n) * 10) / 10;
}

/** The local and the remote picture, compared: in the hat, outside it, over all. */
async function compare(p: Participant): Promise<{ hat: number; elsewhere: number; all: number } | null> {
  const [local, remote] = [await p.snapshot('#videoInput'), await p.snapshot('#videoOutput')];
  if (!local || !remote) return null;
  return {
    hat: difference(local, remote, (x, y) => inside(HAT, x, y)),
    elsewhere: difference(local, remote, (x, y) => !inside(AROUND_HAT, x, y)),
    all: difference(local, remote, () => true),
  };
}

const state = (p: Participant): Promise<string | null> => p.page.getAttribute('body', 'data-state');
const errorShown = (p: Participant): Promise<string | null> => p.page.evaluate(() => {
  const box = document.getElementById('error');
  return box && !box.hidden ? box.textContent : null;
});

/** Clicks Start and waits until the remote video plays (30 frames). */
async function startMirror(p: Participant): Promise<void> {
  await p.page.click('#start');
  await waitFor(`${p.name} playing`, async () => (await state(p)) === 'playing', MEDIA_WAIT_MS);
  await waitFor(`${p.name}'s remote video presenting frames`, async () => (await p.frames('#videoOutput')) > 30, MEDIA_WAIT_MS);
}

/** Clicks Stop: idle, no peer connection, and no pipeline on the media server. */
async function stopMirror(run: BrowserRun, p: Participant): Promise<void> {
  await p.page.click('#stop');
  await waitFor(`${p.name} idle`, async () => (await state(p)) === 'idle' && (await p.openPeers()) === 0, 10_000);
  await run.expectPipelines([]);
}

let run: BrowserRun;

before(async () => {
  run = await BrowserRun.start(magicMirror, ['face', 'bars']);
});

after(async () => {
  await run?.close();
});

test('the face camera: the remote picture has the hat where the face is and matches the local one elsewhere', async (t) => {
  const p = await run.open('face', 0);
  await startMirror(p);
  const [shape] = await run.expectPipelines([2]);
  assert.deepEqual(shape?.elements, ['FaceOverlayFilter', 'WebRtcEndpoint']);
  const seen = await waitFor('the hat on the face, the rest as sent', async () => {
    const c = await compare(p);
    return c && c.hat > 60 && c.elsewhere < 16 ? c : null;
  }, MEDIA_WAIT_MS, 250).catch(async (e: unknown) => {
    throw new Error(`${(e as Error).message}; last comparison ${JSON.stringify(await compare(p))}`);
  });
  t.diagnostic(`local vs remote (mean difference per channel): ${JSON.stringify(seen)}; hat cells ${JSON.stringify(HAT)}`);
  await stopMirror(run, p);
  assert.deepEqual(p.problems, [], 'no errors in the page');
  await run.dismiss(p);
});

test('a camera without a face: the remote picture matches the local one, and stays so', async (t) => {
  const p = await run.open('bars', 1);
  await startMirror(p);
  await waitFor('the remote picture like the local one', async () => ((await compare(p))?.all ?? Infinity) < 12, MEDIA_WAIT_MS, 250);
  // Ten looks over two seconds: no hat appears anywhere.
  const looks: number[] = [];
  for (let i = 0; i < 10; i++) {
    const c = await compare(p);
    assert.ok(c, 'both videos have a picture');
    looks.push(c.all, c.hat);
    await new Promise((r) => setTimeout(r, 200));
  }
  t.diagnostic(`local vs remote, whole picture and hat cells: ${JSON.stringify(looks)}`);
  assert.ok(looks.every((d) => d < 16), `the remote picture stays as sent: ${JSON.stringify(looks)}`);
  await stopMirror(run, p);
  assert.deepEqual(p.problems, [], 'no errors in the page');
  await run.dismiss(p);
});

test('Chromium\'s own fake camera (moving, no face): the remote picture matches a recent local one', async (t) => {
  const p = await run.open('default camera');
  // The test-utils probe keeps recent local frames: the remote picture lags, so it is matched with the best of them.
  await p.page.addInitScript(PAGE_PROBE);
  await p.page.reload();
  await p.page.evaluate(() => {
    probe.watch(document.getElementById('videoInput') as HTMLVideoElement);
    probe.watch(document.getElementById('videoOutput') as HTMLVideoElement);
  });
  await startMirror(p);
  const looks: number[] = [];
  await waitFor('ten remote pictures like recent local ones', async () => {
    const c = await p.page.evaluate(() => probe.compare(document.getElementById('videoInput') as HTMLVideoElement, document.getElementById('videoOutput') as HTMLVideoElement));
    if (c) looks.push(Math.round(c.remoteVsBestLocal * 10) / 10);
    return looks.length >= 10;
  }, MEDIA_WAIT_MS, 200);
  t.diagnostic(`remote vs best recent local frame: ${JSON.stringify(looks)}`);
  assert.ok(looks.every((d) => d < 10), `no hat: every remote picture is like a local one (${JSON.stringify(looks)})`);
  await stopMirror(run, p);
  assert.deepEqual(p.problems, [], 'no errors in the page');
  await run.dismiss(p);
});

test('SIGTERM stops the media server and the page server: nothing is left listening', async () => {
  await run.stop(0);
});

test('a GStreamer without its OpenCV plugin: the page shows the media server\'s error naming what to install, nothing is left', async (t) => {
  // GStreamer's plugins but OpenCV's, and a registry of its own, for the media server's processes only.
  const dir = mkdtempSync(join(tmpdir(), 'magic-mirror-no-opencv-'));
  const system = '/usr/lib/x86_64-linux-gnu/gstreamer-1.0';
  const plugins = join(dir, 'plugins');
  try {
    mkdirSync(plugins);
    for (const file of readdirSync(system)) if (file.endsWith('.so') && file !== 'libgstopencv.so') symlinkSync(join(system, file), join(plugins, file));
    const bare = await BrowserRun.start(magicMirror, ['face'], { GST_PLUGIN_SYSTEM_PATH_1_0: plugins, GST_PLUGIN_PATH_1_0: '', GST_REGISTRY_1_0: join(dir, 'registry.bin') });
    try {
      const p = await bare.open('face', 0);
      await p.page.click('#start');
      const shown = await waitFor('an error on the page', () => errorShown(p), MEDIA_WAIT_MS, 200);
      t.diagnostic(`the page says: ${shown}`);
      const said = /processing failed: (.*)/.exec(bare.app.output())?.[1];
      assert.ok(said, `the media server logs the failure:\n${bare.app.output()}`);
      assert.equal(shown, `FaceOverlayFilter: ${said}`, 'the page shows what the media server says');
      assert.equal(shown, 'FaceOverlayFilter: GStreamer element facedetect not installed: install the Debian packages gstreamer1.0-opencv opencv-data (apt-get install gstreamer1.0-opencv opencv-data)');
      await waitFor('the page idle', async () => (await state(p)) === 'idle' && (await p.openPeers()) === 0, 10_000);
      await bare.expectPipelines([]);
      await bare.stop(1);
    } finally {
      await bare.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
