/**
 * Property-based fuzzing of the two parsers that face the network first: the JSON-RPC layer
 * (arbitrary frames, and well-formed requests with arbitrary params) and the SDP checks. Short
 * by default; FUZZ_RUNS=100000 for a long run.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { KurentoError, rpcMethods } from '@kurento-ts/protocol';
import type { MediaServer } from '../../src/index.js';
import { checkRemoteSdp } from '../../src/webrtc/sdp.js';
import { RawRpc } from '../helpers/rpc.js';
import { startServer } from '../helpers/server.js';
import { waitFor, openUdpSockets } from '@kurento-ts/test-utils';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 300);

let server: MediaServer;
let rpc: RawRpc;
before(async () => {
  server = await startServer({ maxObjectsPerSession: 50, maxRequestsPerSecond: 0 }); // a long run outpaces any rate limit
  rpc = await RawRpc.open(server.url);
});
after(async () => {
  await rpc.close();
  await server.stop();
});

/** A response must be JSON-RPC 2.0 with exactly one of result and error, and a numeric code on errors. */
function assertWellFormed(response: { jsonrpc: string; result?: unknown; error?: { code: unknown; message: unknown } }): void {
  assert.equal(response.jsonrpc, '2.0');
  assert.ok((response.result === undefined) !== (response.error === undefined), JSON.stringify(response));
  if (response.error) {
    assert.equal(typeof response.error.code, 'number');
    assert.equal(typeof response.error.message, 'string');
  }
}

test('arbitrary frames get a well-formed answer and the server keeps serving', async () => {
  const frames = fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify(v)));
  await fc.assert(
    fc.asyncProperty(frames, async (frame) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(frame);
      } catch {
        parsed = undefined;
      }
      // A valid request without an id is a notification: no answer is due, so skip waiting for one.
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && !('id' in parsed) && (parsed as { jsonrpc?: unknown }).jsonrpc === '2.0') return;
      const response = await rpc.send(frame, null);
      assertWellFormed(response);
    }),
    { numRuns: RUNS },
  );
  assert.equal(await rpc.value('ping'), 'pong');
});

test('every method with arbitrary params answers with a result or a coded error, never a crash', async () => {
  const pipeline = await rpc.value<string>('create', { type: 'MediaPipeline' });
  const endpoint = await rpc.value<string>('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } });
  const ids = fc.constantFrom(pipeline, endpoint, 'manager_ServerManager', 'nope', '');
  const operations = fc.constantFrom('getName', 'setName', 'connect', 'disconnect', 'addTag', 'getTag', 'getStats', 'isMediaFlowingIn', 'addIceCandidate', 'getSinkConnections', 'setStunServerPort', 'getChildren', 'fly');
  const params = fc.record({
    object: fc.oneof(ids, fc.jsonValue()),
    operation: fc.oneof(operations, fc.jsonValue()),
    operationParams: fc.oneof(fc.dictionary(fc.constantFrom('name', 'sink', 'mediaType', 'key', 'value', 'candidate', 'stunServerPort'), fc.oneof(ids, fc.jsonValue())), fc.jsonValue()),
    type: fc.oneof(fc.constantFrom('PassThrough', 'MediaPipeline', 'Teleporter', 'IceCandidateFound'), fc.jsonValue()),
    constructorParams: fc.oneof(fc.record({ mediaPipeline: ids }), fc.jsonValue()),
    subscription: fc.jsonValue(),
  }, { requiredKeys: [] });
  // Methods that end or move the session are left out: the rest of the run needs it.
  const methods = fc.constantFrom(...rpcMethods.filter((m) => m !== 'closeSession' && m !== 'connect' && m !== 'release'));
  await fc.assert(
    fc.asyncProperty(methods, params, async (method, p) => assertWellFormed(await rpc.call(method, p as Record<string, unknown>))),
    { numRuns: RUNS },
  );
  assert.equal(await rpc.invoke(endpoint, 'getMediaPipeline'), pipeline, 'the objects survived');
  await rpc.value('release', { object: pipeline });
});

const REAL_OFFER = [
  'v=0', 'o=- 4611731400430051336 2 IN IP4 127.0.0.1', 's=-', 't=0 0', 'a=group:BUNDLE 0',
  'm=video 9 UDP/TLS/RTP/SAVPF 96', 'c=IN IP4 0.0.0.0', 'a=ice-ufrag:abcd', 'a=ice-pwd:abcdefghijklmnopqrstuvwx',
  'a=fingerprint:sha-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF',
  'a=setup:actpass', 'a=mid:0', 'a=sendrecv', 'a=rtcp-mux', 'a=rtpmap:96 VP8/90000', '',
].join('\r\n');

test('the SDP checks throw only Kurento errors, for random text and for mutated real offers', () => {
  const mutated = fc.tuple(fc.nat(REAL_OFFER.length), fc.nat(40), fc.string()).map(([at, cut, insert]) => REAL_OFFER.slice(0, at) + insert + REAL_OFFER.slice(at + cut));
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.string().map((s) => `v=0\r\n${s}`), mutated), (sdp) => {
      try {
        checkRemoteSdp(sdp, 65536, 'SDP_END_POINT_PROCESS_OFFER_ERROR');
      } catch (e) {
        assert.ok(e instanceof KurentoError, `not a KurentoError: ${String(e)}`);
        assert.ok(e.code === 40201 || e.code === 40205);
      }
    }),
    { numRuns: RUNS * 10 },
  );
});

test('mutated offers given to processOffer get SDP errors or an answer, and every endpoint is released cleanly', async () => {
  const objectsBefore = server.registry.size;
  const pipeline = await rpc.value<string>('create', { type: 'MediaPipeline' });
  const mutated = fc.tuple(fc.nat(REAL_OFFER.length), fc.nat(20), fc.string({ maxLength: 20 })).map(([at, cut, insert]) => REAL_OFFER.slice(0, at) + insert + REAL_OFFER.slice(at + cut));
  await fc.assert(
    fc.asyncProperty(mutated, async (offer) => {
      const endpoint = await rpc.value<string>('create', { type: 'WebRtcEndpoint', constructorParams: { mediaPipeline: pipeline } });
      const response = await rpc.call('invoke', { object: endpoint, operation: 'processOffer', operationParams: { offer } });
      assertWellFormed(response);
      if (response.error) assert.ok([40201, 40205].includes(response.error.code), JSON.stringify(response.error));
      await rpc.value('release', { object: endpoint });
    }),
    { numRuns: Math.min(RUNS, 40) },
  );
  await rpc.value('release', { object: pipeline });
  assert.equal(server.registry.size, objectsBefore);
  await waitFor('the media sockets given back', () => openUdpSockets().length === 0, 5000);
});
