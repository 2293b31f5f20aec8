/**
 * Data channels through WebRtcEndpoints with real Chromium peers, driven by our SDK as an
 * application would: a looped endpoint echoes every message in order (text and binary, up to
 * 256 KiB), two connected endpoints relay between two pages, many channels keep their own
 * traffic apart (matched by label), a channel the server creates opens in the page with its
 * options and closes from the server, an endpoint without useDataChannels rejects the page's
 * channel while media flows, bad calls get clear errors, and a page that stops reading costs the
 * server bounded memory.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { KurentoClient, KurentoClientError, type EventPayload, type WebRtcEndpoint } from '@kurento-ts/client';
import { launchChromium, waitFor, type Browser, type Site } from '@kurento-ts/test-utils';
import type { MediaServer } from '../../src/index.js';
import type { WebRtcEndpoint as ServerWebRtcEndpoint } from '../../src/objects/endpoints/WebRtcEndpoint.js';
import { CHANNEL_BUFFER_LIMIT } from '../../src/webrtc/dataChannels.js';
import { Peers, type TestMessage } from '../helpers/peersPage.js';
import { rendererPids, signalAll } from '../helpers/processes.js';
import { startBrowserRig, stopBrowserRig } from '../helpers/browserRig.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** The heap in use after full collections, MiB. */
async function heapMb(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
  }
  return process.memoryUsage().heapUsed / 2 ** 20;
}

let server: MediaServer;
let kurento: KurentoClient;
let site: Site;
let browser: Browser;

before(async () => {
  ({ server, kurento, site, browser } = await startBrowserRig());
});

after(async () => {
  await stopBrowserRig({ server, kurento, site, browser });
});

/** The server's object behind a client proxy (diagnostics the protocol does not carry). */
const serverSide = (endpoint: WebRtcEndpoint) => server.registry.resolve(endpoint.id) as unknown as ServerWebRtcEndpoint;

/** Text and binary messages of every size that matters: one SCTP chunk, just over, 16 KiB, 64 KiB, 256 KiB. */
const SIZES = [16, 1000, 1200, 1201, 16_384, 65_536, 262_144];
const mixed = (from: number): TestMessage[] => SIZES.flatMap((size, i) => [
  { seq: from + 2 * i, size, kind: 'text' as const },
  { seq: from + 2 * i + 1, size, kind: 'binary' as const },
]);

/** Waits until channel `label` of peer `name` got `count` messages; returns them. */
async function received(peers: Peers, name: string, label: string, count: number, timeoutMs = 15_000) {
  let arrived = 0;
  try {
    return await waitFor(`${count} messages on ${name}/${label}`, async () => {
      const channel = (await peers.channels(name)).find((c) => c.label === label && !c.byServer);
      arrived = channel?.received.length ?? 0;
      return channel && arrived >= count ? channel.received : null;
    }, timeoutMs, 100);
  } catch (e) {
    throw new Error(`${(e as Error).message}; ${arrived} of ${count} arrived`);
  }
}

test('a looped WebRtcEndpoint with useDataChannels echoes what the page sends, in order and intact, text and binary up to 256 KiB, with the camera flowing too', async (t) => {
  const peers = await Peers.open(browser, site, kurento);
  try {
    const endpoint = await peers.endpoint('page', { useDataChannels: true });
    const opened: EventPayload<'DataChannelOpened'>[] = [];
    await endpoint.on('DataChannelOpened', (e) => opened.push(e));
    await endpoint.connect(endpoint);
    const { answer } = await peers.negotiate('page', { send: 'camera', receive: true, dataChannels: [{ label: 'chat' }] });
    assert.match(answer, /^m=application [1-9]\d* UDP\/DTLS\/SCTP webrtc-datachannel/m, 'the data section is accepted');
    assert.match(answer, /^a=max-message-size:262144/m);
    const channel = await waitFor('the channel open', async () => (await peers.channels('page')).find((c) => c.opened && c.readyState === 'open'), 15_000);
    await waitFor('DataChannelOpened', () => opened.length > 0, 5000);
    assert.deepEqual(opened.map((e) => e.channelId), [channel.id], 'the event names the page’s channel id');

    const messages = mixed(0);
    await peers.send('page', 'chat', messages);
    const echoed = await received(peers, 'page', 'chat', messages.length);
    assert.deepEqual(echoed.map(({ seq, size, kind }) => ({ seq, size, kind })), messages, 'every message back, in order, same size and kind');
    assert.ok(echoed.every((m) => m.intact), 'every byte as sent');
    const video = await waitFor('video decoded alongside', async () => ((await peers.stats('page')).inVideo?.framesDecoded ?? 0) > 20, 10_000);
    assert.ok(video);

    const stats = await endpoint.getStats('DATA');
    const entries = Object.values(stats);
    const dc = entries.find((s) => s.type === 'datachannel');
    t.diagnostic(`server datachannel stats: ${JSON.stringify(dc)}`);
    const bytes = messages.reduce((n, m) => n + m.size, 0);
    assert.equal(dc?.['label'], 'chat');
    assert.equal(dc?.['datachannelid'], channel.id);
    assert.equal(dc?.['state'], 'open');
    assert.equal(dc?.['messagesReceived'], messages.length);
    assert.equal(dc?.['messagesSent'], messages.length);
    assert.equal(dc?.['bytesReceived'], bytes);
    assert.equal(dc?.['bytesSent'], bytes);
    const session = entries.find((s) => s.type === 'session');
    assert.deepEqual([session?.['dataChannelsOpened'], session?.['dataChannelsClosed']], [1, 0]);
  } finally {
    await peers.close();
  }
});

test('two pages relay through two connected endpoints: each page gets what the other sends, in order; data-only offers are answered', async () => {
  const peers = await Peers.open(browser, site, kurento);
  try {
    const alice = await peers.endpoint('alice', { useDataChannels: true });
    const bob = await peers.endpoint('bob', { useDataChannels: true });
    await alice.connect(bob, 'DATA');
    await bob.connect(alice); // AUDIO, VIDEO and DATA: the DATA part carries bob's messages
    const { answer } = await peers.negotiate('alice', { media: false, dataChannels: [{ label: 'chat' }] });
    assert.doesNotMatch(answer, /^m=(audio|video)/m);
    await peers.negotiate('bob', { media: false, dataChannels: [{ label: 'chat' }] });
    await waitFor('both channels open', async () => (await peers.channels('alice'))[0]?.opened && (await peers.channels('bob'))[0]?.opened, 15_000);
    const fromAlice = mixed(0);
    const fromBob = mixed(1000);
    await Promise.all([peers.send('alice', 'chat', fromAlice), peers.send('bob', 'chat', fromBob)]);
    const atBob = await received(peers, 'bob', 'chat', fromAlice.length);
    const atAlice = await received(peers, 'alice', 'chat', fromBob.length);
    assert.deepEqual(atBob.map(({ seq, size, kind, intact }) => ({ seq, size, kind, intact })), fromAlice.map((m) => ({ ...m, intact: true })));
    assert.deepEqual(atAlice.map(({ seq, size, kind, intact }) => ({ seq, size, kind, intact })), fromBob.map((m) => ({ ...m, intact: true })));
  } finally {
    await peers.close();
  }
});

test('many channels on one looped endpoint: each message comes back on the channel of its label; a label the sink lacks takes its first channel', async () => {
  const peers = await Peers.open(browser, site, kurento);
  try {
    const endpoint = await peers.endpoint('page', { useDataChannels: true });
    await endpoint.connect(endpoint);
    const labels = Array.from({ length: 16 }, (_, i) => `channel-${i}`);
    await peers.negotiate('page', { media: false, dataChannels: labels.map((label) => ({ label })) });
    await waitFor('16 channels open', async () => (await peers.channels('page')).filter((c) => c.opened).length === 16, 15_000);
    await Promise.all(labels.map((label, i) => peers.send('page', label, [0, 1, 2].map((k) => ({ seq: i * 10 + k, size: 100 + i, kind: 'text' as const })))));
    const channels = await waitFor('30 messages back on each... 3 on each channel', async () => {
      const now = await peers.channels('page');
      return now.every((c) => c.received.length >= 3) ? now : null;
    }, 15_000);
    for (const [i, label] of labels.entries()) {
      const channel = channels.find((c) => c.label === label);
      assert.deepEqual(channel?.received.map((m) => m.seq), [i * 10, i * 10 + 1, i * 10 + 2], `${label} got its own messages back`);
    }

    // A second, channel-less sink of the same endpoint's DATA: the relay picks the first open channel.
    const other = await peers.endpoint('other', { useDataChannels: true });
    await endpoint.connect(other, 'DATA');
    await peers.negotiate('other', { media: false, dataChannels: [{ label: 'only-one' }] });
    await waitFor('the other channel open', async () => (await peers.channels('other'))[0]?.opened, 15_000);
    await peers.send('page', 'channel-3', [{ seq: 77, size: 50, kind: 'text' }]);
    const atOther = await received(peers, 'other', 'only-one', 1);
    assert.equal(atOther[0]?.seq, 77);
  } finally {
    await peers.close();
  }
});

test('createDataChannel opens a channel in the page with its label and options; the page’s messages on it come back; closeDataChannel closes it there', async () => {
  const peers = await Peers.open(browser, site, kurento);
  try {
    const endpoint = await peers.endpoint('page', { useDataChannels: true });
    const opened: number[] = [];
    const closed: number[] = [];
    await endpoint.on('DataChannelOpened', (e) => opened.push(e.channelId));
    await endpoint.on('DataChannelClosed', (e) => closed.push(e.channelId));
    await endpoint.connect(endpoint);
    await peers.negotiate('page', { send: 'camera', dataChannels: [{ label: 'page-made' }] });
    await waitFor('the page’s channel open', () => opened.length === 1, 15_000);
    await endpoint.createDataChannel('server-made', false, -1, 3, 'x-test');
    await endpoint.createDataChannel('timed', true, 500);
    await endpoint.createDataChannel(); // Kurento's defaults: '' label, ordered, reliable
    const made = await waitFor('three server channels in the page', async () => {
      const channels = (await peers.channels('page')).filter((c) => c.byServer && c.opened);
      return channels.length === 3 ? channels : null;
    }, 10_000);
    const byLabel = new Map(made.map((c) => [c.label, c]));
    assert.deepEqual(
      ['server-made', 'timed', ''].map((label) => {
        const c = byLabel.get(label);
        return c && { label, ordered: c.ordered, maxRetransmits: c.maxRetransmits, maxPacketLifeTime: c.maxPacketLifeTime, protocol: c.protocol };
      }),
      [
        { label: 'server-made', ordered: false, maxRetransmits: 3, maxPacketLifeTime: null, protocol: 'x-test' },
        { label: 'timed', ordered: true, maxRetransmits: null, maxPacketLifeTime: 500, protocol: '' },
        { label: '', ordered: true, maxRetransmits: null, maxPacketLifeTime: null, protocol: '' },
      ],
    );
    await waitFor('DataChannelOpened for each', () => opened.length === 4, 5000);
    const serverMadeId = byLabel.get('server-made')?.id;
    assert.ok(typeof serverMadeId === 'number' && opened.includes(serverMadeId), `DataChannelOpened carries the page's id ${serverMadeId} (got ${opened})`);
    const ids = new Set((await peers.channels('page')).map((c) => c.id));
    assert.equal(ids.size, 4, 'no two channels share an SCTP stream id');

    await peers.send('page', 'timed', [{ seq: 5, size: 300, kind: 'binary' }]);
    const back = await waitFor('the message back on "timed"', async () => (await peers.channels('page')).find((c) => c.label === 'timed')?.received[0], 10_000);
    assert.deepEqual({ seq: back.seq, intact: back.intact }, { seq: 5, intact: true });

    await endpoint.closeDataChannel(serverMadeId);
    await waitFor('the page sees it closed', async () => (await peers.channels('page')).find((c) => c.label === 'server-made')?.closed, 10_000);
    await waitFor('DataChannelClosed', () => closed.includes(serverMadeId), 5000);
    await endpoint.closeDataChannel(serverMadeId); // closed already: nothing to do, as in Kurento
    await assert.rejects(endpoint.closeDataChannel(999), (e: unknown) => e instanceof KurentoClientError && e.code === 40107 && /999/.test(e.message));

    // The page closes its own channel: the server reports it too.
    const pageMadeId = (await peers.channels('page')).find((c) => c.label === 'page-made')?.id ?? -1;
    await peers.tab.evaluate(() => window.dcClose('page', 'page-made'));
    await waitFor('DataChannelClosed for the page’s channel', () => closed.includes(pageMadeId), 10_000);
    const session = Object.values(await endpoint.getStats('DATA')).find((s) => s.type === 'session');
    assert.deepEqual([session?.['dataChannelsOpened'], session?.['dataChannelsClosed']], [4, 2]);
  } finally {
    await peers.close();
  }
});

test('without useDataChannels, as in Kurento: the offered data section is rejected (port 0), the page’s channel never opens, media flows, and the channel methods answer 40111', async () => {
  const peers = await Peers.open(browser, site, kurento);
  try {
    const endpoint = await peers.endpoint('page');
    await endpoint.connect(endpoint);
    const { offer, answer } = await peers.negotiate('page', { send: 'camera', receive: true, dataChannels: [{ label: 'chat' }] });
    assert.match(offer, /^m=application 9 /m);
    const sections = answer.split(/\r\n(?=m=)/).slice(1);
    assert.deepEqual(sections.map((m) => m.slice(0, 8)), ['m=audio ', 'm=video ', 'm=applic'], 'one answer section per offered one, in order');
    assert.match(sections[2] ?? '', /^m=application 0 UDP\/DTLS\/SCTP webrtc-datachannel\r\nc=IN IP4 0\.0\.0\.0\r\na=mid:2/);
    assert.doesNotMatch(answer, /a=sctp-port/);
    assert.match(answer, /^a=group:BUNDLE 0 1\r$/m, 'the rejected mid is out of the BUNDLE group');
    const stats = await waitFor('video decoded', async () => {
      const s = await peers.stats('page');
      return (s.inVideo?.framesDecoded ?? 0) > 20 ? s : null;
    }, 15_000);
    assert.equal(stats.connectionState, 'connected');
    const [channel] = await peers.channels('page');
    assert.equal(channel?.opened, false, 'the page’s channel did not open');
    await assert.rejects(endpoint.createDataChannel('x'), (e: unknown) => e instanceof KurentoClientError && e.code === 40111);
    await assert.rejects(endpoint.closeDataChannel(0), (e: unknown) => e instanceof KurentoClientError && e.code === 40111);
    assert.equal(Object.values(await endpoint.getStats()).some((s) => s.type === 'datachannel' || s.type === 'session'), false);
  } finally {
    await peers.close();
  }
});

test('as the offerer, an endpoint with useDataChannels offers a data section: channels from either side open after the page answers, and echo', async () => {
  const peers = await Peers.open(browser, site, kurento);
  try {
    const endpoint = await peers.endpoint('page', { useDataChannels: true });
    const opened: number[] = [];
    await endpoint.on('DataChannelOpened', (e) => opened.push(e.channelId));
    await endpoint.connect(endpoint);
    const { offer, answer } = await peers.answer('page');
    assert.match(offer, /^m=application 9 UDP\/DTLS\/SCTP webrtc-datachannel/m);
    assert.match(answer, /^m=application 9 UDP\/DTLS\/SCTP webrtc-datachannel/m, 'the page accepts it');
    await waitFor('the page connected', async () => (await peers.stats('page')).connectionState === 'connected', 15_000);
    await waitFor('the data session up', () => endpoint.createDataChannel('from-server').then(() => true, () => false), 10_000, 200);
    await peers.tab.evaluate(() => window.dcOpen('page', 'from-page'));
    await waitFor('both channels open at both ends', async () => opened.length === 2 && (await peers.channels('page')).filter((c) => c.opened).length === 2, 10_000);
    await peers.send('page', 'from-page', [{ seq: 1, size: 2000, kind: 'binary' }]);
    const back = await received(peers, 'page', 'from-page', 1);
    assert.deepEqual([back[0]?.seq, back[0]?.intact], [1, true]);
  } finally {
    await peers.close();
  }
});

test('createDataChannel: both limits at once are refused (40107), before negotiation there is no data session (40003)', async () => {
  const pipeline = await kurento.createMediaPipeline();
  try {
    const endpoint = await pipeline.create('WebRtcEndpoint', { useDataChannels: true });
    await assert.rejects(endpoint.createDataChannel('', true, 100, 2), (e: unknown) => e instanceof KurentoClientError && e.code === 40107);
    await assert.rejects(endpoint.createDataChannel('early'), (e: unknown) => e instanceof KurentoClientError && e.code === 40003 && /negotiated/.test(e.message));
  } finally {
    await pipeline.release();
  }
});

test('a page that stops reading (its renderer frozen) costs the server bounded memory: the relay drops what that sink cannot take, counts it, and the sink gets messages again once it reads', async (t) => {
  const sinkBrowser = await launchChromium();
  const source = await Peers.open(browser, site, kurento);
  const sink = await Peers.open(sinkBrowser, site, kurento, source.pipeline);
  try {
    const a = await source.endpoint('a', { useDataChannels: true });
    const b = await sink.endpoint('b', { useDataChannels: true });
    await a.connect(b, 'DATA');
    await source.negotiate('a', { media: false, dataChannels: [{ label: 'flood' }] });
    await sink.negotiate('b', { media: false, dataChannels: [{ label: 'flood' }] });
    await waitFor('both channels open', async () => (await source.channels('a'))[0]?.opened && (await sink.channels('b'))[0]?.opened, 15_000);
    // A first flood the sink reads: caches and compiled code settle before memory is measured.
    const warmUp = await source.tab.evaluate(() => window.dcFlood('a', 'flood', 16_384, 4 * 2 ** 20, 10_000, 1_000_000));
    // 4 MiB through two SCTP associations in JS: seconds on a quiet machine, more on a loaded one,
    // where the relay may drop some of it too (counted, as it must): every message arrives or is counted.
    let arrived = 0;
    await waitFor('the warm-up flood read or counted', async () => {
      arrived = (await sink.channels('b')).find((c) => c.label === 'flood' && !c.byServer)?.received.length ?? 0;
      return arrived + serverSide(b).droppedData().full >= warmUp.sent || null;
    }, 60_000, 100).catch((e: Error) => {
      throw new Error(`${e.message}; ${arrived} of ${warmUp.sent} arrived, dropped at the sink's endpoint ${JSON.stringify(serverSide(b).droppedData())}, buffered ${serverSide(b).bufferedData()} bytes`);
    });
    const droppedInWarmUp = serverSide(b).droppedData().full;
    const pids = rendererPids(sinkBrowser.userDataDir);
    assert.ok(pids.length > 0, 'the sink browser has renderers');
    const before = await heapMb();
    let during = 0;
    let flood = { sent: 0, bytes: 0 };
    signalAll(pids, 'SIGSTOP');
    try {
      flood = await source.tab.evaluate(() => window.dcFlood('a', 'flood', 16_384, 32 * 2 ** 20, 25_000));
      during = await heapMb();
    } finally {
      signalAll(pids, 'SIGCONT');
    }
    const dropped = serverSide(b).droppedData();
    const buffered = serverSide(b).bufferedData();
    t.diagnostic(`flood: ${flood.sent} messages, ${(flood.bytes / 2 ** 20).toFixed(1)} MiB; server heap ${before.toFixed(1)} → ${during.toFixed(1)} MiB; dropped ${JSON.stringify(dropped)}; buffered for the sink ${buffered} bytes`);
    // Without the bound the server would keep nearly all of it (32 MiB); the tolerance is half of it: the
    // relay's 1 MiB plus what werift's SCTP holds in flight, which reached 13.2 MiB once on the
    // TypeScript path (6–9 MiB usually) when the flood and the tolerance were 24 and 12 MiB.
    assert.ok(flood.bytes >= 32 * 2 ** 20, `the flood is twice the tolerance (${flood.bytes} bytes)`);
    assert.ok(during - before < 16, `heap grew ${(during - before).toFixed(1)} MiB while the sink read nothing`);
    assert.ok(dropped.full - droppedInWarmUp > 0 && dropped.full - droppedInWarmUp < flood.sent, 'what did not fit was dropped and counted');
    assert.ok(buffered <= CHANNEL_BUFFER_LIMIT, 'the sink’s queue stayed within its limit');

    // Reading again, the sink drains its queue, and then gets new messages. The marker waits for the
    // queue to drain: sent at once, it would meet the queue still full and be dropped, as it must.
    const resumed = Date.now();
    await waitFor('the sink’s queue drained', () => serverSide(b).bufferedData() === 0, 60_000, 100).catch((e: Error) => {
      throw new Error(`${e.message}; buffered ${serverSide(b).bufferedData()} bytes, dropped ${JSON.stringify(serverSide(b).droppedData())}`);
    });
    const drained = Date.now() - resumed;
    const droppedBeforeMarker = serverSide(b).droppedData().full;
    await source.send('a', 'flood', [{ seq: 999_999, size: 100, kind: 'text' }]);
    const last = await waitFor('the marker at the sink', async () => (await sink.channels('b'))[0]?.received.find((m) => m.seq === 999_999), 15_000, 100);
    t.diagnostic(`the sink's queue drained ${drained} ms after it read again; the marker arrived ${Date.now() - resumed - drained} ms after that`);
    assert.equal(serverSide(b).droppedData().full, droppedBeforeMarker, 'nothing dropped once the queue drained');
    assert.equal(last.intact, true);
  } finally {
    await sink.tab.close();
    await source.close();
    await sinkBrowser.close();
  }
});

test('a peer that opens more than 256 channels: the ones beyond are closed at once and never announced; the first 256 work', async () => {
  const peers = await Peers.open(browser, site, kurento);
  try {
    const endpoint = await peers.endpoint('page', { useDataChannels: true });
    let opened = 0;
    await endpoint.on('DataChannelOpened', () => void opened++);
    await endpoint.connect(endpoint);
    const labels = Array.from({ length: 260 }, (_, i) => `c${i}`);
    await peers.negotiate('page', { media: false, dataChannels: labels.map((label) => ({ label })) });
    let seen = '';
    const channels = await waitFor('260 channels settled', async () => {
      const now = await peers.channels('page');
      const notOpened = now.filter((c) => !c.opened).map((c) => c.label);
      const closed = now.filter((c) => c.closed).map((c) => c.label);
      seen = `not opened: ${notOpened.join(',') || 'none'}; closed: ${closed.join(',') || 'none'}; server: ${opened} opened, ${JSON.stringify(serverSide(endpoint).droppedData())}`;
      return notOpened.length === 0 && closed.length === 4 ? now : null;
    }, 20_000, 250).catch((e: unknown) => assert.fail(`${(e as Error).message}: ${seen}`));
    assert.deepEqual(channels.filter((c) => c.closed).map((c) => c.label).sort(), ['c256', 'c257', 'c258', 'c259']);
    await waitFor('256 DataChannelOpened', () => opened === 256, 5000);
    assert.equal(serverSide(endpoint).droppedData().refusedChannels, 4);
    await peers.send('page', 'c255', [{ seq: 1, size: 20, kind: 'text' }]);
    assert.equal((await received(peers, 'page', 'c255', 1))[0]?.seq, 1);
  } finally {
    await peers.close();
  }
});
