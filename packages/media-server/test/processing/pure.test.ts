/**
 * The backend's pure parts, without GStreamer: command syntax, the pipelines each unit asks
 * for, RFC 4571 framing across read boundaries, the control channel's deadlines.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { ControlChannel, type HelperEvent } from '../../src/processing/ControlChannel.js';
import { decodeChain, encodeChain, inputCaps } from '../../src/processing/codecChains.js';
import { packageOf } from '../../src/processing/debianPackages.js';
import { ProcessingError } from '../../src/processing/errors.js';
import { ALLOWED_FILTER_ELEMENTS, parseFilterCommand } from '../../src/processing/filterCommand.js';
import { RtpStreamReader, RtpStreamWriter } from '../../src/processing/rtpStreamFraming.js';
import { Signal } from '../../src/processing/Signal.js';
import { barcodeSpec, faceOverlaySpec, filterSpec, transcoderSpec } from '../../src/processing/unitSpecs.js';
import { AAC, H264, H264_MODE0, OPUS, VP8 } from './helpers/units.js';

test('parseFilterCommand: one element and its properties, quoted values unescaped', () => {
  assert.deepEqual(parseFilterCommand('  videoflip method=horizontal-flip '), { command: 'videoflip method=horizontal-flip', factory: 'videoflip', properties: [['method', 'horizontal-flip']] });
  assert.deepEqual(parseFilterCommand('textoverlay text="a \\"b\\" ! (c)" font-desc="Sans, 24"').properties, [
    ['text', 'a "b" ! (c)'],
    ['font-desc', 'Sans, 24'],
  ]);
  assert.deepEqual(parseFilterCommand('capsfilter caps=video/x-raw,width=320,height=240').properties, [['caps', 'video/x-raw,width=320,height=240']]);
  assert.deepEqual(parseFilterCommand('equalizer-10bands band0=-3').factory, 'equalizer-10bands');
});

test('parseFilterCommand refuses what is not one element', () => {
  const code = (command: string): string => {
    try {
      parseFilterCommand(command);
    } catch (e) {
      assert.ok(e instanceof ProcessingError);
      return `${e.code}: ${e.message}`;
    }
    return 'accepted';
  };
  assert.equal(code('a ! b'), "not-one-element: the command links elements with '!': a GStreamerFilter runs one element, not a pipeline");
  assert.equal(code('videoflip name=f f. ! fakesink'), "not-one-element: 'f.' refers to another element: a command is one element");
  assert.equal(code("videoflip method='x'"), 'invalid-command: use double quotes for values');
  assert.equal(code('"videoflip"'), `invalid-command: '"videoflip"' is not an element name`);
  assert.equal(code('videoflip child::prop=1'), "invalid-command: 'child::prop' is not a property name");
  assert.equal(code('x'.repeat(5000)), 'invalid-command: the command is longer than 4096 characters');
});

test('every allow-listed element is installed here, from the package the list names, and none is a source or a sink', async () => {
  const { execFileSync } = await import('node:child_process');
  for (const [name, entry] of ALLOWED_FILTER_ELEMENTS) {
    const inspect = execFileSync('/usr/bin/gst-inspect-1.0', [name], { encoding: 'utf8' });
    const file = /Filename\s+(\S+)/.exec(inspect)?.[1];
    assert.ok(file, `${name} is installed`);
    const owner = execFileSync('dpkg', ['-S', `/usr${file}`], { encoding: 'utf8' }).split(':')[0];
    assert.equal(owner, entry.package, `${name} comes from ${entry.package}`);
    assert.equal(packageOf(name), entry.package);
    const klass = /Klass\s+(.+)/.exec(inspect)?.[1] ?? '';
    assert.ok(!/Source|Sink/.test(klass), `${name} (${klass}) is neither source nor sink`);
  }
});

test('unit pipelines: fixed elements only, the user element linked by the process, caps passed aside', () => {
  const spec = filterSpec({ input: VP8, output: VP8, command: parseFilterCommand('videoflip method=horizontal-flip'), filterType: 'VIDEO' });
  assert.equal(spec.pipeline.includes('videoflip'), false, 'the command is not spliced into the description');
  assert.match(spec.pipeline, /^fdsrc fd=3 do-timestamp=true .* ! videoconvert name=user-in ! videoconvert name=user-out ! vp8enc name=enc .* ! rtpvp8pay name=pay pt=96 .* ! rtpstreampay ! fdsink fd=4 sync=false async=false$/);
  assert.equal(spec.caps['rtp-in'], 'application/x-rtp-stream, media=(string)video, clock-rate=(int)90000, encoding-name=(string)VP8, payload=(int)96');
  assert.deepEqual(spec.filter?.commandProperties, [['method', 'horizontal-flip']]);
  assert.ok(spec.required.includes('vp8dec') && spec.required.includes('rtpstreampay'));
  assert.equal(barcodeSpec({ input: VP8 }).payloader, undefined);
  assert.match(barcodeSpec({ input: VP8 }).pipeline, /zbar name=zbar cache=false ! fakesink/);
  assert.match(faceOverlaySpec({ input: VP8, output: VP8 }).pipeline, /tee name=split ! queue leaky=downstream .* facedetect name=faces .* split\. ! videoconvert ! gdkpixbufoverlay name=face-0 ! .* gdkpixbufoverlay name=face-3 ! videoconvert ! vp8enc/);
  assert.match(transcoderSpec({ input: OPUS, output: AAC }).pipeline, /opusdec plc=true ! audioconvert ! audioconvert ! audioresample ! audio\/x-raw,rate=48000,channels=2 ! avenc_aac name=enc bitrate=64000 ! rtpmp4gpay name=pay pt=100/);
});

test('codec chains follow what the sink negotiated', () => {
  assert.match(encodeChain(H264).description, /x264enc .*! video\/x-h264,profile=constrained-baseline ! rtph264pay name=pay pt=102 .*aggregate-mode=zero-latency/);
  assert.match(encodeChain(H264_MODE0).description, /option-string=slice-max-size=1100 .*aggregate-mode=none/);
  assert.match(encodeChain({ ...H264, parameters: { 'profile-level-id': '640c1f', 'packetization-mode': '1' } }).description, /cabac=true dct8x8=true .*profile=high/);
  assert.match(encodeChain(VP8, { videoBitrateKbps: 800, keyframeIntervalFrames: 60 }).description, /target-bitrate=800000 .*keyframe-max-dist=60/);
  assert.match(decodeChain(H264, 80).description, /^rtpjitterbuffer latency=80 do-lost=true ! rtph264depay name=depay request-keyframe=true wait-for-keyframe=true ! h264parse ! avdec_h264/);
  const withFmtp = inputCaps({ ...AAC, parameters: { config: '1190', mode: 'AAC-hbr', 'bad key': 'x', evil: 'a"b' } });
  assert.equal(withFmtp, 'application/x-rtp-stream, media=(string)audio, clock-rate=(int)48000, encoding-name=(string)MPEG4-GENERIC, payload=(int)100, encoding-params=(string)2, config=(string)"1190", mode=(string)"AAC-hbr", evil=(string)"a\\"b"');
});

test('RFC 4571 framing: packets batched in one write per turn, reassembled across any read boundary', async () => {
  const pipe = new PassThrough();
  const bytes: Buffer[] = [];
  pipe.on('data', (c: Buffer) => bytes.push(Buffer.from(c)));
  const writer = new RtpStreamWriter(pipe);
  const packets = [Buffer.alloc(100, 1), Buffer.alloc(1200, 2), Buffer.alloc(3, 3)];
  for (const p of packets) assert.equal(writer.push(p), true);
  assert.equal(writer.push(Buffer.alloc(0)), false);
  assert.equal(writer.push(Buffer.alloc(70000)), false, 'too large for a 16-bit length');
  assert.equal(writer.dropped, 2);
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  assert.equal(bytes.length, 1, 'one write for the batch');
  const stream = Buffer.concat(bytes);
  assert.equal(stream.length, 100 + 1200 + 3 + 6);
  for (const step of [1, 2, 7, 101, stream.length]) {
    const out: Buffer[] = [];
    const reader = new RtpStreamReader((p) => out.push(Buffer.from(p)));
    for (let i = 0; i < stream.length; i += step) reader.push(stream.subarray(i, i + step));
    assert.deepEqual(out, packets, `read ${step} bytes at a time`);
  }
});

test('control channel: replies by id, events aside, a deadline for each request, everything failed on close', async () => {
  const toHelper = new PassThrough();
  const fromHelper = new PassThrough();
  const events: HelperEvent[] = [];
  const channel = new ControlChannel(toHelper, fromHelper, (e) => events.push(e), () => undefined);
  const sent: string[] = [];
  toHelper.on('data', (c: Buffer) => sent.push(c.toString()));
  const answered = channel.request('ping', {}, 1000);
  const refused = channel.request('set-property', { name: 'x' }, 1000);
  const late = channel.request('ping', {}, 50);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(sent.join('').trim().split('\n').map((l) => JSON.parse(l) as unknown), [{ id: 1, op: 'ping' }, { name: 'x', id: 2, op: 'set-property' }, { id: 3, op: 'ping' }]);
  fromHelper.write('{"event":"keyframe-needed"}\n{"id":2,"ok":false,"code":"no-such-property","message":"no x"}\n{"id":1,');
  fromHelper.write('"ok":true,"v":5}\n');
  assert.deepEqual(await answered, { id: 1, ok: true, v: 5 });
  const error = await refused.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof ProcessingError && error.code === 'no-such-property' && error.message === 'no x');
  const timeout = await late.then(() => undefined, (e: unknown) => e);
  assert.ok(timeout instanceof ProcessingError && timeout.code === 'hung');
  assert.deepEqual(events, [{ event: 'keyframe-needed' }]);
  const pending = channel.request('ping', {}, 10_000);
  channel.close(new ProcessingError('closed', 'gone'));
  assert.equal(((await pending.then(() => undefined, (e: unknown) => e)) as ProcessingError).message, 'gone');
  assert.equal(channel.outstanding, 0);
});

test('Signal: listeners in order, removal, a throwing listener reported and the rest still called', () => {
  const errors: unknown[] = [];
  const signal = new Signal<number>((e) => errors.push(e));
  const seen: string[] = [];
  signal.add((n) => seen.push(`a${n}`));
  const remove = signal.add(() => {
    throw new Error('boom');
  });
  signal.add((n) => seen.push(`c${n}`));
  signal.emit(1);
  remove();
  signal.emit(2);
  assert.deepEqual(seen, ['a1', 'c1', 'a2', 'c2']);
  assert.equal(errors.length, 1);
  assert.equal(signal.size, 2);
});
