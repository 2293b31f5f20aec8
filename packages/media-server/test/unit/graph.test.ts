/** The media graph without a network: loops, routes by edge status, payload maps, propagation. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MediaType } from '@kurento-ts/protocol';
import { MediaNode, type EdgeInput, type NodeOwner } from '../../src/graph/MediaNode.js';
import { KeyframeRequests } from '../../src/graph/KeyframeRequests.js';
import { parseFmtp } from '../../src/rtp/codecs.js';
import type { DataMessage } from '../../src/types/data.js';
import type { MediaKind, RtpCodec } from '../../src/types/media.js';

const codec = (mimeType: string, payloadType: number, fmtp = ''): RtpCodec => ({ mimeType, clockRate: 90000, parameters: parseFmtp(fmtp), payloadType });
const VP8 = (pt: number) => codec('video/VP8', pt);
const H264 = (pt: number) => codec('video/H264', pt, 'packetization-mode=1;profile-level-id=42e01f');

/** An owner that records what its node tells it. */
class Owner implements NodeOwner {
  readonly node: MediaNode<Owner>;
  readonly received: [MediaKind, number][] = [];
  readonly data: string[] = [];
  readonly inputs: (EdgeInput | undefined)[] = [];
  keyframes = 0;
  constructor(readonly id: string, readonly forwardsInternally: boolean) {
    this.node = new MediaNode<Owner>(this);
  }
  passesThrough(): boolean {
    return this.forwardsInternally;
  }
  acceptRtp(kind: MediaKind, packet: Buffer): void {
    this.received.push([kind, packet[1] ?? -1]);
    if (this.forwardsInternally) this.node.forward(kind, packet);
  }
  acceptData(message: DataMessage): void {
    this.data.push(`${message.label}:${String(message.data)}`);
    if (this.forwardsInternally) this.node.forwardData(message);
  }
  mediaFault(error: unknown): void {
    throw error;
  }
  inputChanged(_kind: MediaKind, input: EdgeInput | undefined): void {
    this.inputs.push(input);
  }
  inputEnded(): void {
    // not used here
  }
  keyframeRequested(): void {
    this.keyframes++;
    if (this.forwardsInternally) this.node.requestKeyframe();
  }
  /** Publishes what this element sends (an endpoint after its negotiation). */
  sends(kind: MediaKind, codecs: RtpCodec[]): void {
    const pad = this.node.pad(kind);
    pad.codecs = codecs;
    pad.active = codecs[0];
    this.node.sourceChanged(kind);
  }
}

const endpoint = (id: string) => new Owner(id, false);
const passThrough = (id: string) => new Owner(id, true);
const connect = (a: Owner, b: Owner, type?: MediaType) => a.node.connect(b.node, type, 'default', 'default');
const packet = (pt: number) => Buffer.from([0x80, pt]);

test('loops of elements that forward to each other are refused, of 1, 2 and 3, per media type; an endpoint may loop to itself', () => {
  const [a, b, c] = [passThrough('a'), passThrough('b'), passThrough('c')];
  assert.throws(() => connect(a, a), /would close a loop/);
  connect(a, b, 'VIDEO');
  assert.throws(() => connect(b, a, 'VIDEO'), /b to a for VIDEO would close a loop/);
  connect(b, a, 'AUDIO'); // a → b is VIDEO only: AUDIO b → a is no loop
  connect(b, c);
  assert.throws(() => connect(c, a, 'VIDEO'), /loop/);
  assert.throws(() => connect(c, a), /loop/, 'all types: refused before any is made');
  assert.deepEqual(c.node.sinks(), [], 'nothing half made');
  assert.throws(() => connect(c, b, 'AUDIO'), /loop/);
  const e = endpoint('e');
  connect(e, e);
  assert.equal(e.node.sinks().length, 3, 'AUDIO, VIDEO and DATA to itself');
  connect(a, e, 'VIDEO');
  connect(e, a, 'VIDEO'); // a cycle through an endpoint: it sends to the network
});

test('an edge forwards only once both sides negotiated, under the sink’s payload type for the same codec', () => {
  const [presenter, viewer] = [endpoint('presenter'), endpoint('viewer')];
  connect(presenter, viewer, 'VIDEO');
  assert.equal(viewer.node.input('video')?.status, 'pending');
  presenter.sends('video', [H264(102), VP8(96)]);
  assert.equal(viewer.node.input('video')?.status, 'pending', 'the viewer has not negotiated');
  presenter.node.forward('video', packet(102));
  assert.deepEqual(viewer.received, [], 'nothing flows on a pending edge');
  viewer.node.setAccepts('video', { codecs: [VP8(120), H264(125)] });
  const input = viewer.node.input('video');
  assert.equal(input?.status, 'forwarding');
  assert.equal(input?.sinkCodec?.payloadType, 125);
  assert.equal(input?.payloadMap[102], 125);
  assert.equal(input?.payloadMap[96], 120, 'the source’s other codec is mapped too');
  presenter.node.forward('video', packet(102));
  assert.deepEqual(viewer.received, [['video', 102]]);
});

test('a sink that takes no codec of the source gets nothing, and the edge says so', () => {
  const [presenter, viewer] = [endpoint('p'), endpoint('v')];
  presenter.sends('video', [H264(102)]);
  viewer.node.setAccepts('video', { codecs: [VP8(96)] });
  connect(presenter, viewer, 'VIDEO');
  assert.equal(viewer.node.input('video')?.status, 'unsupported');
  presenter.node.forward('video', packet(102));
  assert.deepEqual(viewer.received, []);
  // The source switches to a codec the sink takes: media flows.
  presenter.sends('video', [VP8(100), H264(102)]);
  assert.equal(viewer.node.input('video')?.status, 'forwarding');
  presenter.node.forward('video', packet(100));
  assert.deepEqual(viewer.received, [['video', 100]]);
});

test('a transcoder provider turns an unsupported edge into a transcoding one', () => {
  const owner = endpoint('sink');
  const inputs: Buffer[] = [];
  let outputs: ((p: Buffer) => void)[] = [];
  let released = 0;
  const node = new MediaNode<Owner>(owner, {
    candidate: (_kind, _from, to) => to[0],
    acquire: (_source, _kind, _from, target) => ({
      target,
      input: (p) => {
        inputs.push(p);
        for (const o of outputs) o(Buffer.from([0x80, target.payloadType]));
      },
      attach: (output) => {
        outputs.push(output);
        return () => (outputs = outputs.filter((o) => o !== output));
      },
      requestKeyframe: () => undefined,
      release: () => void released++,
    }),
  });
  const source = endpoint('src');
  source.sends('video', [H264(102)]);
  node.setAccepts('video', { codecs: [VP8(96)] });
  source.node.connect(node, 'VIDEO', 'default', 'default');
  assert.equal(node.input('video')?.status, 'transcoding');
  assert.equal(node.input('video')?.sinkCodec?.payloadType, 96);
  source.node.forward('video', packet(102));
  assert.equal(inputs.length, 1, 'the source feeds the transcoder');
  assert.deepEqual(owner.received, [['video', 96]], 'the sink gets its output in its own codec');
  node.detachAll();
  assert.equal(released, 1, 'the transcoder is given back');
  source.node.forward('video', packet(102));
  assert.equal(inputs.length, 1, 'and fed no more');
});

test('forwarding elements carry their input’s pad: a chain evaluates end to end, and re-evaluates when the source changes', () => {
  const [source, pass, sink] = [endpoint('s'), passThrough('pt'), endpoint('k')];
  connect(pass, sink, 'VIDEO');
  connect(source, pass, 'VIDEO');
  sink.node.setAccepts('video', { codecs: [VP8(98)] });
  assert.equal(sink.node.input('video')?.status, 'pending');
  source.sends('video', [VP8(96)]);
  assert.equal(sink.node.input('video')?.status, 'forwarding');
  assert.equal(sink.node.input('video')?.pad, source.node.pad('video'), 'the sink reads the real source’s pad (its clock) live');
  assert.equal(sink.node.input('video')?.payloadMap[96], 98);
  source.node.forward('video', packet(96));
  assert.deepEqual(sink.received, [['video', 96]], 'through the PassThrough, PT rewritten by the sink itself');
  source.sends('video', [H264(102)]);
  assert.equal(sink.node.input('video')?.status, 'unsupported');
  sink.keyframes = 0;
  sink.node.requestKeyframe();
  assert.equal(source.keyframes, 1, 'a keyframe request crosses the PassThrough');
});

test('connecting a new source replaces the old one, whose routes forget the sink; release detaches everything', () => {
  const [a, b, sink] = [endpoint('a'), endpoint('b'), endpoint('sink')];
  a.sends('audio', [codec('audio/opus', 111)]);
  b.sends('audio', [codec('audio/opus', 109)]);
  sink.node.setAccepts('audio', { codecs: [codec('audio/opus', 111)] });
  connect(a, sink, 'AUDIO');
  const { replaced } = connect(b, sink, 'AUDIO');
  assert.equal(replaced.length, 1);
  assert.equal(sink.node.input('audio')?.sourceId, 'b');
  assert.equal(sink.node.input('audio')?.payloadMap[109], 111);
  a.node.forward('audio', packet(111));
  b.node.forward('audio', packet(109));
  assert.deepEqual(sink.received, [['audio', 109]], 'only the new source reaches the sink');
  assert.equal(sink.node.detachAll().length, 1);
  assert.equal(sink.inputs.at(-1), undefined, 'the sink is told its input is gone');
  assert.equal(b.node.hasRoutes('audio'), false);
});

test('keyframe requests are coalesced: one at once, one more at the end of the interval, whatever the number of askers', async () => {
  let sent = 0;
  const requests = new KeyframeRequests(() => sent++, 100);
  for (let i = 0; i < 8; i++) requests.request();
  assert.equal(sent, 1, 'the first goes out at once');
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(sent, 2, 'the others become one, at the end of the interval');
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(sent, 2, 'nothing more when nobody asks');
  requests.request();
  assert.equal(sent, 3);
  requests.close();
  assert.equal(requests.asked, 9);
});

test('DATA flows along DATA connections from the moment they are made, through forwarding elements, to each sink once; a new DATA source replaces the old one', () => {
  const [a, b, c, relay] = [endpoint('a'), endpoint('b'), endpoint('c'), passThrough('relay')];
  const message = (label: string, data: string): DataMessage => ({ label, protocol: '', data });
  connect(a, a); // a loopback: AUDIO, VIDEO and DATA
  a.node.forwardData(message('chat', 'hi'));
  assert.deepEqual(a.data, ['chat:hi'], 'no negotiation needed for DATA');
  connect(a, relay, 'DATA');
  connect(relay, b, 'DATA');
  a.node.connect(relay.node, 'DATA', 'default', 'other'); // a second description: still one route
  a.node.forwardData(message('chat', 'two'));
  assert.deepEqual(relay.data, ['chat:two']);
  assert.deepEqual(b.data, ['chat:two'], 'through the PassThrough');
  assert.equal(a.node.hasDataRoutes(), true);
  connect(c, b, 'DATA'); // b takes DATA from one source: c replaces the relay
  relay.node.forwardData(message('chat', 'lost'));
  c.node.forwardData(message('x', 'from c'));
  assert.deepEqual(b.data, ['chat:two', 'x:from c']);
  connect(a, b, 'VIDEO'); // media connections carry no DATA
  assert.deepEqual(a.node.sinks('DATA').map((s) => s.sink.owner.id).sort(), ['a', 'relay', 'relay']);
  a.node.disconnect(relay.node, 'DATA');
  a.node.disconnect(a.node);
  a.node.forwardData(message('chat', 'after'));
  assert.deepEqual([a.data.length, relay.data.length], [2, 1], 'disconnected sinks get nothing');
  assert.equal(a.node.hasDataRoutes(), false);
  assert.throws(() => connect(relay, relay, 'DATA'), /loop/, 'a PassThrough looped to itself is refused for DATA too');
});
