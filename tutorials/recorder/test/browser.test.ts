/**
 * The recorder end to end, as users run it: `npm start -w tutorials/recorder` (media on
 * 127.0.0.1, free ports), one headless Chromium with a fake camera; in each mode: record ~3 s
 * while the loopback shows the camera, Stop, the file judged by ffprobe and ffmpeg, then Play:
 * the recording comes back (frames decoded, or audio received for audio-only) until playEnd.
 * The media server's pipelines are the truth for what is released.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { waitFor } from '@kurento-ts/test-utils';
import { BrowserRun, decodeErrors, MEDIA_WAIT_MS, probeFile, RawClient, type Participant } from '@kurento-ts/tutorial-kit/testing';
import { NOTHING_RECORDED, type Mode, type ServerMessage } from '../src/messages.js';
import { recorder } from '../src/tutorial.js';

/** Seconds recorded in each mode. */
const RECORD_SECONDS = 3;
/** What ffprobe must find in each mode's file (Kurento's WebM profiles; Chromium sends VP8 and Opus). */
const CODECS: Record<Mode, string[]> = { 'audio-video': ['opus', 'vp8'], 'audio-only': ['opus'], 'video-only': ['vp8'] };

let run: BrowserRun;
let page: Participant;
const files = new Set<string>();

before(async () => {
  run = await BrowserRun.start(recorder, ['bars']);
  page = await run.open('recorder', 0);
});

after(async () => {
  await run?.close();
  for (const file of files) rmSync(file, { force: true });
});

const state = (): Promise<string | null> => page.page.getAttribute('body', 'data-state');
const inState = (wanted: string, timeoutMs = MEDIA_WAIT_MS): Promise<unknown> => waitFor(`the page ${wanted}`, async () => (await state()) === wanted, timeoutMs, 100);
/** The console's lines for messages the page received, by id ("playEnd"...). */
const received = (): Promise<string[]> => page.page.$$eval('#console li.received b', (bs) => bs.map((b) => (b.textContent ?? '').replace(/^← /, '')));

test('before any recording: the page is idle, Play disabled; a play sent anyway is refused; a bad mode too', async () => {
  assert.equal(await state(), 'idle');
  assert.equal(await page.page.isDisabled('#play'), true, 'Play waits for a recording');
  const client = await RawClient.open<ServerMessage>(`${run.app.url.replace(/^https/, 'wss')}recording`, { origin: run.app.url.replace(/\/$/, '') });
  try {
    client.send({ id: 'play', sdpOffer: 'v=0' });
    client.send({ id: 'start', sdpOffer: 'v=0', mode: 'smell-only' });
    await waitFor('two errors', () => client.received.length >= 2);
    assert.deepEqual(client.received, [
      { id: 'error', message: NOTHING_RECORDED },
      { id: 'error', message: 'start: "mode" must be "audio-video" or "audio-only" or "video-only"' },
    ]);
  } finally {
    await client.close();
  }
  await run.expectPipelines([]);
});

for (const mode of ['audio-video', 'audio-only', 'video-only'] as const) {
  test(`${mode}: ~${RECORD_SECONDS} s recorded while the loopback plays; ffprobe reads ${CODECS[mode].join(' + ')} of that duration; Play brings it back until playEnd`, async (t) => {
    const camera = page.camera;
    assert.ok(camera);
    await page.page.setChecked(`input[name="mode"][value="${mode}"]`, true);
    await page.page.click('#start');
    await inState('recording');
    const recordingAt = Date.now();
    const [shape] = await run.expectPipelines([2]);
    assert.deepEqual(shape?.elements, ['RecorderEndpoint', 'WebRtcEndpoint']);
    // The loopback shows the camera while it records.
    const loopback = await page.expectPicture('#videoOutput', camera, run.cameras);
    t.diagnostic(`loopback: ${JSON.stringify(loopback)}`);
    await new Promise((r) => setTimeout(r, Math.max(0, RECORD_SECONDS * 1000 - (Date.now() - recordingAt))));
    await page.page.click('#stop');
    const seconds = (Date.now() - recordingAt) / 1000;
    await inState('recorded');
    await run.expectPipelines([]);

    const uri = await page.page.textContent('#file');
    assert.ok(uri && uri.startsWith('file://'), `the page names the file: ${uri}`);
    const path = fileURLToPath(uri);
    files.add(path);
    const facts = await probeFile(path);
    t.diagnostic(`${mode}: ${JSON.stringify(facts)} after ${seconds.toFixed(2)} s recorded`);
    assert.deepEqual(facts.codecs, CODECS[mode]);
    assert.ok(Math.abs(facts.duration - seconds) < 0.5, `duration ${facts.duration} s for ${seconds.toFixed(2)} s recorded`);
    assert.equal(await decodeErrors(path), '', 'every frame decodes');

    await page.page.click('#play');
    await inState('playing');
    const [playback] = await run.expectPipelines([2]);
    assert.deepEqual(playback?.elements, ['PlayerEndpoint', 'WebRtcEndpoint']);
    if (mode === 'audio-only') {
      t.diagnostic(`audio played back: ${JSON.stringify(await page.expectAudio('#videoOutput'))}`);
    } else {
      const decoded = await waitFor('the recording decoded in the page', async () => {
        const n = (await page.inbound('#videoOutput'))?.video.framesDecoded ?? 0;
        return n > 20 ? n : 0;
      }, MEDIA_WAIT_MS);
      t.diagnostic(`frames decoded from the recording: ${decoded}`);
    }
    await inState('recorded', MEDIA_WAIT_MS);
    assert.ok((await received()).includes('playEnd'), 'playEnd reached the page');
    await run.expectPipelines([]);
    assert.deepEqual(page.problems, [], 'no errors in the page');
    assert.equal(await page.page.isVisible('#error'), false, 'no error shown');
  });
}

test('the messages arrived in Kurento\'s order for each recording and playback', async () => {
  const ids = (await received()).filter((id) => id !== 'iceCandidate');
  assert.deepEqual(ids, Array.from({ length: 3 }, () => ['startResponse', 'recording', 'stopped', 'playResponse', 'playEnd']).flat());
});

test('Stop while playing ends the playback (stopPlay) and releases its pipeline', async () => {
  await page.page.click('#play');
  await inState('playing');
  await run.expectPipelines([2]);
  await page.page.click('#stop');
  await inState('recorded');
  await run.expectPipelines([]);
});

/** Starts recording, lets it run two seconds, ends it by `interrupt` (no Stop) and checks the file was finished (it has its duration). */
async function interruptedRecording(interrupt: () => Promise<void>): Promise<void> {
  await page.page.click('#start');
  await inState('recording');
  const path = fileURLToPath((await page.page.textContent('#file')) ?? '');
  files.add(path);
  await new Promise((r) => setTimeout(r, 2000));
  await interrupt();
  const facts = await probeFile(path);
  assert.ok(facts.duration > 1, `the file was finished: ${JSON.stringify(facts)}; the tutorial said: ${run.app.output()}`);
}

test('a tab closed while recording: the recording is finished and its pipeline released', async () => {
  await interruptedRecording(async () => {
    await page.closeTab();
    await run.expectPipelines([]);
  });
  page = await run.open('again', 0);
});

test('SIGTERM (Ctrl-C) while a page records: its session is released, the file finished, both servers stopped', async () => {
  await interruptedRecording(() => run.stop(1));
});
