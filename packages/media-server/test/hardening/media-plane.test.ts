/**
 * The media plane under attack and under faults, while a real Chromium loopback plays.
 * Floods and packet fuzzing: random datagrams, bogus STUN, forged RTP/RTCP and DTLS-looking
 * records, generated with fast-check, are sent at the session's UDP port (FLOOD_SECONDS, and
 * FLOOD_KIND=garbage|stun|rtp|rtcp|dtls for one kind); the call keeps decoding frames, no media
 * goes to the address that never passed ICE, and dropping a bogus packet stays cheap.
 * Crash isolation: an element whose media handler throws reports its own Error event.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { test } from 'node:test';
import fc from 'fast-check';
import kurentoClient from 'kurento-client';
import { waitFor, openUdpSockets } from '@kurento-ts/test-utils';
import { startBrowserLoopback, useBrowserFixture } from '../helpers/browserLoopback.js';

const FLOOD_SECONDS = Number(process.env['FLOOD_SECONDS'] ?? 3);
const PACKETS_PER_SECOND = 10_000;

const fixture = useBrowserFixture();

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const u16 = (n: number) => [n >> 8, n & 0xff];
const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

/** Packets shaped like each protocol the media port demultiplexes (RFC 7983), with random insides. */
function hostilePackets(ssrcs: number[]): fc.Arbitrary<Uint8Array> {
  const garbage = bytes(1, 1500);
  const stun = fc.tuple(fc.constantFrom(0x0001, 0x0101, 0x0111, 0x0003), bytes(12, 12), bytes(0, 300), fc.boolean()).map(([type, txid, attrs, honestLength]) =>
    Uint8Array.from([...u16(type), ...u16(honestLength ? attrs.length : attrs.length + 40), ...u32(0x2112a442), ...txid, ...attrs]));
  const rtp = fc.tuple(fc.integer({ min: 0x80, max: 0xbf }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 0xffff }), fc.oneof(fc.constantFrom(...ssrcs), fc.nat()), bytes(0, 1200)).map(([b0, pt, seq, ssrc, payload]) =>
    Uint8Array.from([b0, pt, ...u16(seq), ...u32(Date.now() & 0xffffffff), ...u32(ssrc), ...payload]));
  const rtcp = fc.tuple(fc.integer({ min: 0x80, max: 0x9f }), fc.integer({ min: 192, max: 223 }), fc.integer({ min: 0, max: 0xffff }), fc.oneof(fc.constantFrom(...ssrcs), fc.nat()), bytes(0, 200)).map(([b0, pt, length, ssrc, body]) =>
    Uint8Array.from([b0, pt, ...u16(length), ...u32(ssrc), ...body]));
  const dtls = fc.tuple(fc.integer({ min: 20, max: 63 }), fc.constantFrom(0xfeff, 0xfefd, 0x0303), bytes(8, 8), bytes(0, 600), fc.boolean()).map(([type, version, epochSeq, body, honestLength]) =>
    Uint8Array.from([type, ...u16(version), ...epochSeq, ...u16(honestLength ? body.length : 0xffff), ...body]));
  const kinds = { garbage, stun, rtp, rtcp, dtls };
  const only = process.env['FLOOD_KIND'] as keyof typeof kinds | undefined;
  return only ? kinds[only] : fc.oneof(garbage, stun, rtp, rtcp, dtls);
}

test('a flood of hostile packets at the media port leaves the call playing and gets no media back', async (t) => {
  const kurento = await kurentoClient(fixture.server.url, { failAfter: 1, duplicates_timeout: 500 });
  const tab = await fixture.browser.context.newPage();
  const attacker = createSocket('udp4');
  try {
    const call = await startBrowserLoopback(kurento, tab, fixture.page.url);
    const frames = async () => (await tab.evaluate(() => window.collect())).video?.framesDecoded ?? 0;
    await waitFor('the call to play', async () => (await frames()) > 30, 15_000);
    const port = Number(/ udp \d+ 127\.0\.0\.1 (\d+) typ host/.exec(call.serverCandidates.join('\n'))?.[1]);
    assert.ok(port > 0, `a loopback host candidate: ${call.serverCandidates.join(' | ')}`);
    const ssrcs = [...(await tab.evaluate(() => window.localSsrcs())), 1];

    const corpus = fc.sample(hostilePackets(ssrcs), { numRuns: 4000, seed: 7 });
    const received: Buffer[] = [];
    attacker.on('message', (m) => received.push(m));
    await new Promise<void>((resolve) => attacker.bind(0, '127.0.0.1', resolve));

    const framesBefore = await frames();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    let sent = 0;
    while (performance.now() - started < FLOOD_SECONDS * 1000) {
      const due = Math.floor(((performance.now() - started) / 1000) * PACKETS_PER_SECOND);
      for (; sent < due; sent++) attacker.send(corpus[sent % corpus.length] ?? new Uint8Array(1), port, '127.0.0.1');
      await new Promise((r) => setTimeout(r, 5));
    }
    const cpu = process.cpuUsage(cpuBefore);
    const elapsed = (performance.now() - started) / 1000;
    const framesDuring = (await frames()) - framesBefore;
    const microsPerPacket = (cpu.user + cpu.system) / sent;
    t.diagnostic(`${sent} hostile packets in ${elapsed.toFixed(1)} s; ${framesDuring} frames decoded meanwhile; ${microsPerPacket.toFixed(1)} µs of test-process CPU (server + sender) per packet; ${received.length} datagrams came back`);

    assert.ok(framesDuring > elapsed * 10, `the call kept playing (${framesDuring} frames in ${elapsed.toFixed(1)} s)`);
    const media = received.filter((m) => (m[0] ?? 0) >= 20);
    assert.equal(media.length, 0, 'no DTLS, RTP or RTCP was sent to an address that never passed ICE');
    assert.ok(received.length <= sent / 10, `no amplification: ${received.length} STUN answers for ${sent} packets`);
    assert.ok(microsPerPacket < 100, `a bogus packet costs little (${microsPerPacket.toFixed(1)} µs)`);

    const framesAfter = await frames();
    await waitFor('frames still rising after the flood', async () => (await frames()) > framesAfter + 15, 5000);
    assert.equal(await call.endpoint.isMediaFlowingIn('VIDEO'), true);
    await call.pipeline.release();
    await waitFor('the media sockets given back', () => openUdpSockets().length === 1, 5000);
  } finally {
    attacker.close();
    await tab.evaluate(() => window.hangUp()).catch(() => undefined);
    await tab.close();
    kurento.close();
  }
});

test('a fault inside one element is reported as its Error event; the call and the server go on', async () => {
  const kurento = await kurentoClient(fixture.server.url, { failAfter: 1, duplicates_timeout: 500 });
  const tab = await fixture.browser.context.newPage();
  try {
    const call = await startBrowserLoopback(kurento, tab, fixture.page.url);
    const frames = async () => (await tab.evaluate(() => window.collect())).video?.framesDecoded ?? 0;
    await waitFor('the call to play', async () => (await frames()) > 30, 15_000);
    // A second sink of the endpoint, broken from the inside: its media handler throws.
    const faulty = await call.pipeline.create('PassThrough');
    const errors: string[] = [];
    faulty.on('Error', (e) => errors.push(String(e['description'])));
    const element = fixture.server.registry.resolve(faulty.id) as unknown as { acceptRtp(): void };
    element.acceptRtp = () => {
      throw new Error('injected fault');
    };
    await call.endpoint.connect(faulty);
    await waitFor('the Error event of the faulty element', () => errors.length > 0, 5000);
    assert.match(errors[0] ?? '', /injected fault/);
    const framesNow = await frames();
    await waitFor('the loopback still playing', async () => (await frames()) > framesNow + 30, 5000);
    assert.ok(errors.length <= 3, `Error events are rate limited (${errors.length})`);
    await call.pipeline.release();
  } finally {
    await tab.evaluate(() => window.hangUp()).catch(() => undefined);
    await tab.close();
    kurento.close();
  }
});
