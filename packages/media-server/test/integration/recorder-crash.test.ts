/**
 * Recordings survive the media server's death: the server runs in its own process, a Chromium
 * camera is recorded through it, the process is killed with SIGKILL mid-recording, and the
 * partial files (WebM and MP4) are read by ffprobe and decode up to the last seconds.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { KurentoClient } from '@kurento-ts/client';
import { launchChromium, waitFor, type Browser, type Site } from '@kurento-ts/test-utils';
import { decode, probe } from '../media/mediaTools.js';
import { Peers, servePeersPage } from '../helpers/peersPage.js';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

let site: Site;
let browser: Browser;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kurento-ts-crash-'));
  site = await servePeersPage();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await site?.close();
  if (!process.env['KEEP']) rmSync(dir, { recursive: true, force: true });
});

/** Starts the media server as its own process; resolves with its URL once it says it is ready. */
function startServerProcess(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', '--network-interfaces', '127.0.0.1', '--media-root', dir, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start: ${out}`)), 20_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /ready on (ws:\/\/\S+)/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url });
      }
    });
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before it was ready: ${out}`)));
  });
}

test('kill -9 of the media server mid-recording: the WebM and MP4 recorded so far are readable and decode', async (t) => {
  const { child, url } = await startServerProcess();
  const kurento = await KurentoClient.connect(url, { reconnect: false });
  const peers = await Peers.open(browser, site, kurento);
  const webm = join(dir, 'crash.webm');
  const mp4 = join(dir, 'crash.mp4');
  try {
    // Two cameras: VP8 into WebM (with audio), H.264 into MP4.
    const jobs = [
      { name: 'vp8', codec: 'VP8', path: webm, profile: 'WEBM' as const },
      { name: 'h264', codec: 'H264', path: mp4, profile: 'MP4' as const },
    ];
    const recorders = [];
    for (const job of jobs) {
      const camera = await peers.endpoint(job.name);
      const recorder = await peers.pipeline.create('RecorderEndpoint', { uri: `file://${job.path}`, mediaProfile: job.profile });
      await camera.connect(recorder);
      await peers.negotiate(job.name, { send: 'camera', videoCodecs: [job.codec] });
      const started = recorder.once('Recording');
      await recorder.record();
      recorders.push(started);
    }
    await Promise.all(recorders);
    const encoded = async () => Promise.all(jobs.map(async (j) => (await peers.stats(j.name)).outVideo?.framesEncoded ?? 0));
    const before = await encoded();
    await new Promise((r) => setTimeout(r, 4000));
    const sent = (await encoded()).map((n, i) => n - (before[i] ?? 0));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    for (const [i, job] of jobs.entries()) {
      const facts = await probe(job.path);
      t.diagnostic(`${job.profile} after SIGKILL at 4 s: ${JSON.stringify(facts)}`);
      assert.ok(facts.streams.some((s) => s.codec_type === 'video'), `${job.profile}: ffprobe reads the video stream`);
      const decoded = await decode(job.path);
      t.diagnostic(`${job.profile}: decoded ${decoded.videoFrames} frames; errors: ${decoded.errors || 'none'}`);
      // All but the last seconds: an MP4 fragment or a WebM cluster in progress is what a crash may lose.
      const frames = sent[i] ?? 0;
      assert.ok(decoded.videoFrames >= frames * 0.4, `${job.profile}: ${decoded.videoFrames} of the ${frames} frames sent in 4 s decode`);
    }
  } finally {
    child.kill('SIGKILL');
    await peers.tab.close();
    await kurento.close().catch(() => undefined);
  }
});
