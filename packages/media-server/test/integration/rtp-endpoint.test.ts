/**
 * RtpEndpoint with real RTP peers nobody here wrote: ffmpeg and GStreamer send plain RTP and SRTP
 * (SDES) into it, a Chromium viewer plays what arrives through a WebRtcEndpoint; and an
 * RtpEndpoint sends a Chromium camera to ffmpeg, which records a file ffprobe reads.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { KurentoClient, type RtpEndpoint, type SDES } from '@kurento-ts/client';
import { decodeArgs, waitFor, type Browser, type Site } from '@kurento-ts/test-utils';
import type { MediaServer } from '../../src/index.js';
import { Peers } from '../helpers/peersPage.js';
import { processResources } from '../helpers/resources.js';
import { startBrowserRig, stopBrowserRig } from '../helpers/browserRig.js';
import { startServer } from '../helpers/server.js';

let server: MediaServer;
let kurento: KurentoClient;
let site: Site;
let browser: Browser;
let dir: string;
const children: ChildProcess[] = [];

before(async () => {
  ({ server, kurento, site, browser } = await startBrowserRig());
  dir = mkdtempSync(join(tmpdir(), 'kurento-ts-rtp-'));
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await stopBrowserRig({ server, kurento, site, browser });
  rmSync(dir, { recursive: true, force: true });
});

/** Starts a sender or receiver; killed after the test file at the latest. */
function run(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  child.on('exit', (code) => {
    if (code !== 0 && code !== null && code !== 255) process.stderr.write(`${command} exited ${code}: ${stderr}\n`);
  });
  children.push(child);
  return child;
}

const stop = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGINT');
  });

/** The RTP port of our answer's video (or audio) m-line. */
function portOf(sdp: string, kind: 'audio' | 'video'): number {
  const port = Number(new RegExp(`^m=${kind} (\\d+) `, 'm').exec(sdp)?.[1]);
  assert.ok(port > 0, `a ${kind} port in ${sdp}`);
  return port;
}

/** A sender's offer as an application writes it for an RTP source that sends first (COMEDIA). */
function senderOffer(video: string, crypto?: string): string {
  return ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=sender', 'c=IN IP4 127.0.0.1', 't=0 0', `m=video 9 ${crypto ? 'RTP/SAVPF' : 'RTP/AVPF'} 96`, `a=rtpmap:96 ${video}/90000`, ...(crypto ? [crypto] : []), 'a=direction:active', 'a=sendonly', ''].join('\r\n');
}

/** A viewer tab whose WebRtcEndpoint is fed by `source`; resolves once it decodes frames of the expected colour. */
async function viewerShows(peers: Peers, colour: (rgb: [number, number, number]) => boolean, what: string): Promise<[number, number, number]> {
  await waitFor('the viewer decoding frames', async () => ((await peers.stats('viewer')).inVideo?.framesDecoded ?? 0) > 30, 20_000, 200);
  return waitFor(`the viewer showing ${what}`, async () => {
    const rgb = await peers.tab.evaluate(() => window.meanColour('viewer'));
    return rgb && colour(rgb) ? rgb : null;
  }, 10_000, 200);
}

const green = ([r, g, b]: [number, number, number]) => g > 100 && r < 80 && b < 80;
const red = ([r, g, b]: [number, number, number]) => r > 100 && g < 80 && b < 80;

async function rtpToViewer(crypto?: SDES): Promise<{ peers: Peers; rtp: RtpEndpoint }> {
  const peers = await Peers.open(browser, site, kurento);
  const rtp = await peers.pipeline.create('RtpEndpoint', crypto ? { crypto } : {});
  await rtp.connect(await peers.endpoint('viewer'));
  return { peers, rtp };
}

test('ffmpeg sends VP8 over plain RTP (COMEDIA) to an RtpEndpoint; a Chromium viewer plays it', async (t) => {
  const { peers, rtp } = await rtpToViewer();
  try {
    const answer = await rtp.processOffer(senderOffer('VP8'));
    assert.match(answer, /^m=video \d+ RTP\/AVPF 96\r$/m);
    assert.match(answer, /^a=direction:passive\r$/m, 'COMEDIA: we wait for the sender');
    assert.match(answer, /^a=recvonly\r$/m);
    await peers.negotiate('viewer', { receive: true });
    const port = portOf(answer, 'video');
    run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'color=c=0x00c000:s=320x240:r=30', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '400k', '-g', '30', '-an', '-f', 'rtp', '-payload_type', '96', `rtp://127.0.0.1:${port}`]);
    const rgb = await viewerShows(peers, green, 'ffmpeg’s green');
    t.diagnostic(`viewer colour ${rgb.map(Math.round).join(',')}`);
    assert.equal(await rtp.isMediaFlowingIn('VIDEO'), true);
    const stats = await rtp.getStats('VIDEO');
    const inbound = Object.values(stats).find((s) => s.type === 'inboundrtp');
    t.diagnostic(`RtpEndpoint inbound: ${JSON.stringify(inbound)}`);
    assert.ok(Number(inbound?.['packetsReceived']) > 30);
  } finally {
    await peers.close();
  }
});

test('ffmpeg sends SRTP (AES_CM_128_HMAC_SHA1_80, SDES) to an RtpEndpoint created with crypto; the viewer plays it', async () => {
  const ourKey = randomBytes(30).toString('base64');
  const { peers, rtp } = await rtpToViewer({ crypto: 'AES_128_CM_HMAC_SHA1_80', keyBase64: ourKey });
  try {
    const senderKey = randomBytes(30).toString('base64');
    const answer = await rtp.processOffer(senderOffer('VP8', `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${senderKey}`));
    assert.match(answer, /^m=video \d+ RTP\/SAVPF 96\r$/m);
    assert.ok(answer.includes(`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${ourKey}`), 'our key in the answer, for what we would send');
    await peers.negotiate('viewer', { receive: true });
    run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'color=c=0x00c000:s=320x240:r=30', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '400k', '-g', '30', '-an', '-f', 'rtp', '-payload_type', '96', '-srtp_out_suite', 'AES_CM_128_HMAC_SHA1_80', '-srtp_out_params', senderKey, `srtp://127.0.0.1:${portOf(answer, 'video')}`]);
    await viewerShows(peers, green, 'ffmpeg’s green through SRTP');
  } finally {
    await peers.close();
  }
});

test('GStreamer (libsrtp) sends AES_256_CM_HMAC_SHA1_32 SRTP; the viewer plays it', async () => {
  const { peers, rtp } = await rtpToViewer({ crypto: 'AES_256_CM_HMAC_SHA1_32' });
  try {
    const senderKey = randomBytes(46);
    const answer = await rtp.processOffer(senderOffer('VP8', `a=crypto:1 AES_256_CM_HMAC_SHA1_32 inline:${senderKey.toString('base64')}`));
    await peers.negotiate('viewer', { receive: true });
    run('gst-launch-1.0', ['-q', 'videotestsrc', 'is-live=true', 'pattern=red', '!', 'video/x-raw,width=320,height=240,framerate=30/1', '!', 'vp8enc', 'deadline=1', 'keyframe-max-dist=30', '!', 'rtpvp8pay', 'pt=96', '!',
      'srtpenc', `key=${senderKey.toString('hex')}`, 'rtp-cipher=aes-256-icm', 'rtp-auth=hmac-sha1-32', 'rtcp-cipher=aes-256-icm', 'rtcp-auth=hmac-sha1-80', '!', 'udpsink', 'host=127.0.0.1', `port=${portOf(answer, 'video')}`]);
    await viewerShows(peers, red, 'GStreamer’s red through AES-256 SRTP');
  } finally {
    await peers.close();
  }
});

test('an RtpEndpoint sends a Chromium camera to ffmpeg, which records a file ffprobe reads', async (t) => {
  const peers = await Peers.open(browser, site, kurento);
  try {
    const presenter = await peers.endpoint('presenter');
    const rtp = await peers.pipeline.create('RtpEndpoint');
    await presenter.connect(rtp);
    await peers.negotiate('presenter', { send: 'camera', videoCodecs: ['VP8'] });
    const offer = await rtp.generateOffer();
    const vp8 = /^a=rtpmap:(\d+) VP8\/90000/m.exec(offer)?.[1];
    const opus = /^a=rtpmap:(\d+) opus\/48000\/2/m.exec(offer)?.[1];
    assert.ok(vp8 && opus, `VP8 and Opus offered: ${offer}`);
    // ffmpeg listens on ports of its own; the application answers for it.
    const [videoPort, audioPort] = [41_000 + 2 * Math.floor(Math.random() * 500), 43_000 + 2 * Math.floor(Math.random() * 500)];
    const media = (kind: string, port: number, pt: string, map: string) => [`m=${kind} ${port} RTP/AVPF ${pt}`, `a=rtpmap:${pt} ${map}`, 'a=recvonly'];
    const head = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=ffmpeg', 'c=IN IP4 127.0.0.1', 't=0 0'];
    const answer = [...head, ...media('audio', audioPort, opus, 'opus/48000/2'), ...media('video', videoPort, vp8, 'VP8/90000'), ''].join('\r\n');
    const sdpFile = join(dir, 'receive.sdp');
    writeFileSync(sdpFile, answer.replace(/a=recvonly/g, 'a=sendonly'));
    const out = join(dir, 'recorded.webm');
    const ffmpeg = run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-protocol_whitelist', 'file,udp,rtp', '-i', sdpFile, '-c', 'copy', '-y', out]);
    await new Promise((r) => setTimeout(r, 500)); // ffmpeg's sockets open
    await rtp.processAnswer(answer);
    await waitFor('media leaving the RtpEndpoint', () => rtp.isMediaFlowingOut('VIDEO'), 10_000, 200);
    await new Promise((r) => setTimeout(r, 4000));
    await stop(ffmpeg);
    const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name:format=duration', '-of', 'json', out], { encoding: 'utf8' });
    t.diagnostic(probe.stdout);
    const facts = JSON.parse(probe.stdout) as { streams: { codec_name: string }[]; format: { duration: string } };
    assert.deepEqual(facts.streams.map((s) => s.codec_name).sort(), ['opus', 'vp8']);
    assert.ok(Number(facts.format.duration) > 2.5, `duration ${facts.format.duration}`);
    const decode = spawnSync('ffmpeg', decodeArgs(out), { encoding: 'utf8' });
    assert.equal(decode.stderr.trim(), '', 'every frame decodes');
  } finally {
    await peers.close();
  }
});

test('bad input: no media, unknown crypto suites, wrong key lengths, SRTP to a plain endpoint; packets from strangers are dropped and counted', async () => {
  const pipeline = await kurento.createMediaPipeline();
  try {
    const plain = await pipeline.create('RtpEndpoint');
    await assert.rejects(plain.processOffer('v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\n'), /no media sections/);
    const fresh = await pipeline.create('RtpEndpoint');
    await assert.rejects(fresh.processOffer(senderOffer('VP8', `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${randomBytes(30).toString('base64')}`)), /created without the 'crypto' parameter/);
    await assert.rejects(pipeline.create('RtpEndpoint', { crypto: { crypto: 'AES_128_CM_HMAC_SHA1_80', key: 'too short' } }), /needs a key of 30 characters/);
    await assert.rejects(pipeline.create('RtpEndpoint', { crypto: { crypto: 'AES_256_CM_HMAC_SHA1_80', keyBase64: randomBytes(30).toString('base64') } }), /needs a base64 key of 46 bytes/);
    const secure = await pipeline.create('RtpEndpoint', { crypto: { crypto: 'AES_128_CM_HMAC_SHA1_32' } });
    await assert.rejects(secure.processOffer(senderOffer('VP8', `a=crypto:1 AEAD_AES_256_GCM inline:${randomBytes(44).toString('base64')}`)), /no a=crypto line with AES_128_CM_HMAC_SHA1_32/);
    const h264Only = await pipeline.create('RtpEndpoint');
    await assert.rejects(h264Only.processOffer(senderOffer('MP4V-ES')), /no audio or video in a codec this endpoint takes/);

    // A non-COMEDIA sender at 127.0.0.1: RTP from 127.0.0.2 is not its.
    const rtp = await pipeline.create('RtpEndpoint');
    const answer = await rtp.processOffer(senderOffer('VP8').replace('a=direction:active\r\n', '').replace('m=video 9 ', 'm=video 40998 '));
    const stranger = createSocket('udp4');
    await new Promise<void>((r) => stranger.bind(0, '127.0.0.2', r));
    const packet = Buffer.alloc(100);
    packet[0] = 0x80;
    packet[1] = 96;
    for (let i = 0; i < 20; i++) stranger.send(packet, portOf(answer, 'video'), '127.0.0.1');
    const counted = await waitFor('the strangers’ packets counted', () => {
      const element = server.registry.resolve(rtp.id) as unknown as { refusedDatagrams(): { foreign: number } };
      return element.refusedDatagrams().foreign >= 20 ? element.refusedDatagrams() : null;
    }, 5_000, 50);
    stranger.close();
    assert.equal(counted.foreign, 20);
    assert.equal(await rtp.isMediaFlowingIn('VIDEO'), false, 'none of it entered the graph');
  } finally {
    await pipeline.release();
  }
});

test('RtpEndpoints draw on the UDP socket budget: two sockets per media line, 40009 before any opens when it is spent, all given back on release', async () => {
  const limited = await startServer({ maxUdpSockets: 6 });
  const client = await KurentoClient.connect(limited.url);
  const used = (): number => limited.budgets().find((b) => b.budget === 'maxUdpSockets')?.used ?? -1;
  try {
    const before = await processResources();
    const pipeline = await client.createMediaPipeline();
    const first = await pipeline.create('RtpEndpoint', {});
    await first.generateOffer();
    assert.equal(used(), 4, 'audio and video: RTP and RTCP each');
    const second = await pipeline.create('RtpEndpoint', {});
    await assert.rejects(second.generateOffer(), (e: Error & { code?: number }) => e.code === 40009 && /maxUdpSockets|max-udp-sockets/.test(e.message));
    assert.equal(used(), 4, 'the refused offer holds nothing');
    const audioOnly = await pipeline.create('RtpEndpoint', {});
    const offer = await audioOnly.processOffer('v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 5004 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\n');
    assert.match(offer, /m=audio [1-9]\d* RTP\/AVP/);
    assert.equal(used(), 6);
    assert.equal((await processResources()).udpSockets - before.udpSockets, 6, 'the sockets counted are the sockets open');
    await pipeline.release();
    await waitFor('the budget given back', () => used() === 0, 5000, 50);
    assert.equal((await processResources()).udpSockets, before.udpSockets);
  } finally {
    await client.close();
    await limited.stop();
  }
});
