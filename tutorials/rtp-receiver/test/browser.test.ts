/**
 * The RTP receiver end to end, as users run it: `npm start -w tutorials/rtp-receiver` (media on
 * 127.0.0.1, free ports), headless Chromium on the page, and the sender commands of the README,
 * filled in with what the page shows, run as a user runs them: the page must decode their
 * frames and receive their audio, over plain RTP, SRTP and from GStreamer.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@kurento-ts/test-utils';
import { BrowserRun, MEDIA_WAIT_MS, type Participant } from '@kurento-ts/tutorial-kit/testing';
import { rtpReceiver } from '../src/tutorial.js';

const README = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');

/** The README's command for `sender` (the code block after its `<!-- sender: ... -->` mark). */
function documented(sender: string): string {
  const block = new RegExp(`<!-- sender: ${sender} -->\\n\`\`\`sh\\n([\\s\\S]*?)\\n\`\`\``).exec(README)?.[1];
  assert.ok(block, `the README documents the ${sender} command`);
  return block;
}

let run: BrowserRun;
let viewer: Participant;
const senders = new Set<ChildProcess>();

before(async () => {
  run = await BrowserRun.start(rtpReceiver, []);
  viewer = await run.open('viewer');
});

after(async () => {
  for (const s of senders) s.kill('SIGKILL');
  await run?.close();
});

const text = (selector: string): Promise<string> => viewer.page.$eval(selector, (e) => e.textContent ?? '');
const state = (): Promise<string | null> => viewer.page.getAttribute('body', 'data-state');

/** Runs a command line as a shell does (the backslash-newlines as pasted); killed at the end of the test. */
function runSender(command: string): ChildProcess {
  const child = spawn('sh', ['-c', `exec ${command}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = ''; // 255: ffmpeg's exit on SIGINT
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  child.once('exit', (code, signal) => {
    senders.delete(child);
    if (signal === null && code !== 0 && code !== 255) process.stderr.write(`sender exited ${code}: ${stderr}\n`);
  });
  senders.add(child);
  return child;
}

async function stopSender(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await exited;
}

for (const { sender, srtp } of [{ sender: 'ffmpeg-rtp', srtp: false }, { sender: 'ffmpeg-srtp', srtp: true }, { sender: 'gst-rtp', srtp: false }, { sender: 'gst-srtp', srtp: true }]) {
  test(`${sender}: the README's command, as the page fills it in, plays in the page`, async (t) => {
    await viewer.page.setChecked('#useSrtp', srtp);
    await viewer.page.click('#start');
    await viewer.page.waitForSelector('#connection', { state: 'visible', timeout: MEDIA_WAIT_MS });
    await waitFor('waiting for the sender', async () => (await state()) === 'waiting', MEDIA_WAIT_MS);
    const info = { address: await text('#conn-address'), videoPort: await text('#conn-video-port'), audioPort: await text('#conn-audio-port'), srtp: await text('#conn-srtp') };
    t.diagnostic(`connection info shown: ${JSON.stringify(info)}`);
    assert.equal(info.address, '127.0.0.1');
    const answer = await text('#sdp-answer');
    assert.match(answer, new RegExp(`^m=video ${info.videoPort} RTP/${srtp ? 'SAVPF' : 'AVPF'} 96\\r?$`, 'm'), 'the RtpEndpoint\'s answer is shown');
    assert.match(answer, /^a=direction:passive\r?$/m, 'COMEDIA: it waits for the sender');

    let command = documented(sender).replaceAll('ADDRESS', info.address).replaceAll('VIDEO_PORT', info.videoPort).replaceAll('AUDIO_PORT', info.audioPort);
    if (srtp) {
      const keys = /^AES_CM_128_HMAC_SHA1_80; video key (\S+), audio key (\S+)$/.exec(info.srtp);
      assert.ok(keys?.[1] && keys[2], `the keys are shown: ${info.srtp}`);
      assert.match(answer, /^a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:\S+\r?$/m);
      const hex = (base64: string): string => Buffer.from(base64, 'base64').toString('hex');
      command = command.replaceAll('VIDEO_KEY_HEX', hex(keys[1])).replaceAll('AUDIO_KEY_HEX', hex(keys[2])).replaceAll('VIDEO_KEY', keys[1]).replaceAll('AUDIO_KEY', keys[2]);
    } else {
      assert.equal(info.srtp, 'no (plain RTP)');
    }
    const shownCommand = await text(sender.startsWith('gst') ? '#gst-command' : '#ffmpeg-command');
    assert.equal(shownCommand, command, 'the page shows the README\'s command, filled in');

    await viewer.frames('#videoOutput'); // counts from here
    const child = runSender(command);
    try {
      await waitFor('the page playing', async () => (await state()) === 'playing', MEDIA_WAIT_MS);
      const decoded = await waitFor('frames decoded and audio received', async () => {
        const inbound = await viewer.inbound('#videoOutput');
        return inbound && inbound.video.framesDecoded > 60 && inbound.audio.packetsReceived > 100 ? inbound : null;
      }, MEDIA_WAIT_MS, 250);
      t.diagnostic(`the page's inbound RTP: ${JSON.stringify(decoded)}`);
      assert.ok((await viewer.frames('#videoOutput')) > 0, 'the video presents frames');
    } finally {
      await stopSender(child);
    }
    await viewer.page.click('#stop');
    await waitFor('idle', async () => (await state()) === 'idle' && (await viewer.openPeers()) === 0, 10_000);
    await run.expectPipelines([]);
    assert.deepEqual(viewer.problems, [], 'no errors in the page');
  });
}

test('SIGTERM stops the media server and the page server: nothing is left listening', async () => {
  await run.stop(1);
});
