/**
 * Kurento's loopback-stats tutorial, for real: the official kurento-client does what the
 * tutorial's page does (latency stats on, a WebRtcEndpoint connected to itself, getStats read
 * once a second), and every field the page shows is checked to be a real number, plausible next
 * to what Chromium's own getStats says of the same streams: the same SSRCs and packet counts,
 * no loss on loopback, keyframe requests and NACKs counted alike on both sides (a PLI the test
 * provokes among them), round-trip times within a factor, and the end-to-end latency measured.
 * Then the transport, candidate-pair, DTLS and REMB-parameter parts of the same endpoint.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import kurentoClient, { type WebRtcEndpoint } from 'kurento-client';
import { waitFor } from '@kurento-ts/test-utils';
import { useBrowserFixture } from '../helpers/browserLoopback.js';

const fixture = useBrowserFixture();

type Stats = Record<string, unknown>;

interface BrowserVideoStats {
  outbound?: { ssrc: number; packetsSent: number; bytesSent: number; nackCount: number; firCount: number; pliCount: number };
  inbound?: { ssrc: number; packetsReceived: number; bytesReceived: number; packetsLost: number; jitter: number; nackCount: number; firCount: number; pliCount: number };
  remoteInbound?: { roundTripTime?: number; jitter?: number; packetsLost?: number; fractionLost?: number };
  pair?: { currentRoundTripTime?: number; availableOutgoingBitrate?: number; bytesSent: number; bytesReceived: number };
  transport?: { bytesSent: number; bytesReceived: number };
}

declare global {
  interface Window {
    videoStats(): Promise<BrowserVideoStats>;
  }
}

/** The tutorial's getMediaElementStats: the first entry of `statsType` in getStats(mediaType). */
async function getMediaElementStats(element: WebRtcEndpoint, statsType: string, mediaType: 'AUDIO' | 'VIDEO'): Promise<Stats> {
  const statsMap = await element.getStats(mediaType);
  for (const key in statsMap) {
    const stats = statsMap[key];
    if (stats?.['type'] === statsType) return stats;
  }
  throw new Error(`Could not find ${statsType} stats`);
}

/** The numbers the tutorial's page puts on screen (printStats), read the way it reads them. */
async function whatThePageShows(endpoint: WebRtcEndpoint): Promise<Record<string, unknown>> {
  const inbound = await getMediaElementStats(endpoint, 'inboundrtp', 'VIDEO');
  const outbound = await getMediaElementStats(endpoint, 'outboundrtp', 'VIDEO');
  const e2e = await getMediaElementStats(endpoint, 'endpoint', 'VIDEO');
  const latency = (e2e['E2ELatency'] as { avg: number; name: string; type: string }[])[1];
  return {
    kmsIncomingSsrc: inbound['ssrc'], kmsBytesReceived: inbound['bytesReceived'], kmsPacketsReceived: inbound['packetsReceived'],
    kmsPliSent: inbound['pliCount'], kmsFirSent: inbound['firCount'], kmsNackSent: inbound['nackCount'], kmsJitter: inbound['jitter'],
    kmsPacketsLost: inbound['packetsLost'], kmsFractionLost: inbound['fractionLost'], kmsRembSend: inbound['remb'],
    kmsOutogingSsrc: outbound['ssrc'], kmsBytesSent: outbound['bytesSent'], kmsPacketsSent: outbound['packetsSent'],
    kmsPliReceived: outbound['pliCount'], kmsFirReceived: outbound['firCount'], kmsNackReceived: outbound['nackCount'],
    kmsRtt: outbound['roundTripTime'], kmsRembReceived: outbound['remb'],
    // The page prints `E2ELatency[1] / 1000000`: entry 1 is the video stream's MediaLatencyStat
    // (as Kurento's are), whose avg is the number meant; dividing the object itself gives NaN
    // against Kurento Media Server too.
    e2eLatencyName: latency?.name, e2eLatencyMs: latency && latency.avg / 1e6,
  };
}

test('the loopback-stats tutorial shows real numbers, plausible next to the browser’s own getStats', async (t) => {
  const kurento = await kurentoClient(fixture.server.url, { failAfter: 1 });
  const tab = await fixture.browser.context.newPage();
  try {
    const pipeline = await kurento.create('MediaPipeline');
    await pipeline.setLatencyStats(true);
    const endpoint = await pipeline.create('WebRtcEndpoint');
    let connected = false;
    endpoint.on('MediaStateChanged', (e) => { if (e['newState'] === 'CONNECTED') connected = true; });
    const dtls: string[] = [];
    endpoint.on('DtlsConnectionStateChange', (e) => dtls.push(String(e['state'])));
    const IceCandidate = kurentoClient.getComplexType('IceCandidate');
    endpoint.on('IceCandidateFound', (e) => void tab.evaluate((c) => window.addRemoteCandidate(c), e['candidate'] as RTCIceCandidateInit));
    await tab.exposeFunction('onLocalCandidate', (c: Record<string, unknown>) => void endpoint.addIceCandidate(IceCandidate(c)));
    await tab.goto(fixture.page.url);
    const offer = await tab.evaluate(() => window.startCall('VP8'));
    const answer = await endpoint.processOffer(offer);
    await endpoint.gatherCandidates();
    await tab.evaluate((sdp) => window.setAnswer(sdp), answer);
    await endpoint.connect(endpoint);
    await waitFor('MediaState CONNECTED', () => connected, 15_000);

    // A few seconds of the page's once-a-second refresh: reports exchanged, averages settled.
    const shown = await waitFor('every field the page shows, as a number', async () => {
      const s = await whatThePageShows(endpoint);
      const numbers = Object.entries(s).filter(([k]) => k !== 'e2eLatencyName');
      return numbers.every(([k, v]) => (k.endsWith('Ssrc') ? /^\d+$/.test(String(v)) : typeof v === 'number' && Number.isFinite(v))) &&
        Number(s['kmsRtt']) > 0 && Number(s['kmsPacketsSent']) > 200 ? s : null;
    }, 20_000, 1000);
    t.diagnostic(`the page shows: ${JSON.stringify(shown)}`);

    // A keyframe request the test provokes: the server's PLI count and the browser's agree.
    const pliBefore = Number(shown['kmsPliSent']);
    await endpoint.requestKeyframe();
    const afterPli = await waitFor('the PLI counted on both sides', async () => {
      const [server, browser] = [await getMediaElementStats(endpoint, 'inboundrtp', 'VIDEO'), await tab.evaluate(() => window.videoStats())];
      return Number(server['pliCount']) === pliBefore + 1 && browser.outbound?.pliCount === pliBefore + 1 ? { server, browser } : null;
    }, 5000, 200);
    t.diagnostic(`after requestKeyframe: server pliCount ${afterPli.server['pliCount']}, browser outbound pliCount ${afterPli.browser.outbound?.pliCount}`);

    const browser = await tab.evaluate(() => window.videoStats());
    const server = await whatThePageShows(endpoint);
    t.diagnostic(`browser: ${JSON.stringify(browser)}`);
    t.diagnostic(`server: ${JSON.stringify(server)}`);
    assert.ok(browser.outbound && browser.inbound && browser.remoteInbound);
    // The same streams.
    assert.equal(server['kmsIncomingSsrc'], String(browser.outbound.ssrc), 'what the server receives is what the browser sends');
    assert.equal(server['kmsOutogingSsrc'], String(browser.inbound.ssrc), 'what the server sends is what the browser receives');
    assert.ok(Math.abs(Number(server['kmsPacketsReceived']) - browser.outbound.packetsSent) < 0.1 * browser.outbound.packetsSent, 'packets received ≈ packets the browser sent');
    assert.ok(Math.abs(Number(server['kmsPacketsSent']) - browser.inbound.packetsReceived) < 0.1 * browser.inbound.packetsReceived, 'packets sent ≈ packets the browser received');
    // Loopback: nothing lost either way.
    assert.deepEqual([server['kmsPacketsLost'], server['kmsFractionLost'], browser.inbound.packetsLost, browser.remoteInbound.packetsLost ?? 0], [0, 0, 0, 0]);
    // Feedback counted alike: our PLIs and NACKs are what the browser received; its, what we received.
    assert.equal(server['kmsPliSent'], browser.outbound.pliCount);
    assert.equal(server['kmsPliReceived'], browser.inbound.pliCount);
    assert.equal(server['kmsNackSent'], browser.outbound.nackCount);
    assert.equal(server['kmsNackReceived'], browser.inbound.nackCount);
    assert.deepEqual([server['kmsFirSent'], server['kmsFirReceived']], [0, browser.inbound.firCount]);
    // Round trips: the server's (from the browser's receiver reports) and the browser's (from ours), both small, within a factor.
    const rtt = Number(server['kmsRtt']);
    const browserRtt = browser.remoteInbound.roundTripTime ?? Number.NaN;
    assert.ok(rtt > 0 && rtt < 0.1 && browserRtt > 0 && browserRtt < 0.1, `round-trip times on loopback: server ${rtt} s, browser ${browserRtt} s`);
    assert.ok(Math.max(rtt, browserRtt) / Math.min(rtt, browserRtt) < 10 || Math.abs(rtt - browserRtt) < 0.005, `within a factor of 10 (or 5 ms): ${rtt} vs ${browserRtt}`);
    // Jitter: what our receiver reports carry is what the browser's remote-inbound-rtp shows.
    const jitter = Number(server['kmsJitter']);
    assert.ok(jitter >= 0 && jitter < 0.1, `jitter ${jitter} s`);
    assert.ok(Math.abs(jitter - (browser.remoteInbound.jitter ?? Number.NaN)) < 0.02, `server jitter ${jitter} s vs the browser's view of our reports ${browser.remoteInbound.jitter} s`);
    // End-to-end latency: measured, a synchronous forward well under a millisecond or so.
    assert.equal(server['e2eLatencyName'], 'sink_video_default');
    const e2e = Number(server['e2eLatencyMs']);
    assert.ok(e2e > 0 && e2e < 20, `E2E latency ${e2e} ms`);
    const endpointEntry = await getMediaElementStats(endpoint, 'endpoint', 'VIDEO');
    const input = (endpointEntry['inputLatency'] as { avg: number; type: string }[]).find((l) => l.type === 'VIDEO');
    assert.ok(input && input.avg > 0 && input.avg <= e2e * 1e6 * 1.5, `input latency ${input?.avg} ns is measured and not above the end-to-end one`);

    // The transport, its candidate pairs and the DTLS state.
    const all = await endpoint.getStats();
    const transport = Object.values(all).find((s) => s['type'] === 'transport');
    assert.ok(transport, 'a transport entry');
    const pair = all[String(transport['selectedCandidatePairId'])];
    t.diagnostic(`transport: ${JSON.stringify(transport)}; selected pair: ${JSON.stringify(pair)}`);
    assert.deepEqual([pair?.['type'], pair?.['state'], pair?.['nominated']], ['candidatepair', 'succeeded', true]);
    assert.equal(all[String(pair?.['localCandidateId'])]?.['ipAddress'], '127.0.0.1');
    assert.ok(browser.transport && Math.abs(Number(transport['bytesReceived']) - browser.transport.bytesSent) < 0.1 * browser.transport.bytesSent, 'bytes received ≈ bytes the browser sent');
    assert.ok(Math.abs(Number(transport['bytesSent']) - browser.transport.bytesReceived) < 0.1 * browser.transport.bytesReceived, 'bytes sent ≈ bytes the browser received');
    assert.equal(Object.values(all).find((s) => s['type'] === 'inboundrtp')?.['transportId'], transport['id']);
    assert.deepEqual(dtls.filter((s) => s !== 'NEW'), ['CONNECTING', 'CONNECTED']);
    const [dtlsNow] = await endpoint.getDtlsConnectionState();
    assert.equal(dtlsNow?.['state'], 'CONNECTED');

    // RembParams: accepted and given back.
    const RembParams = kurentoClient.getComplexType('RembParams');
    await endpoint.setRembParams(RembParams({ upLosses: 20, rembOnConnect: 500_000 }));
    const remb = await endpoint.getRembParams();
    assert.deepEqual([remb['upLosses'], remb['rembOnConnect']], [20, 500_000]);
    await pipeline.release();
  } finally {
    await tab.close();
    kurento.close();
  }
});
