/** The message checks every tutorial's parser is made of: what a page may send, and the sentence for what it may not. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BadMessage, optionalString, readMessage, requireCandidate, requireOneOf, requireString, unknownId } from '../src/messages.js';

const bad = (fn: () => unknown, message: string): void => assert.throws(fn, (e: unknown) => e instanceof BadMessage && e.message === message);

test('a message is a JSON object with a string id', () => {
  assert.deepEqual(readMessage('{"id":"x","a":1}'), { id: 'x', fields: { id: 'x', a: 1 } });
  bad(() => readMessage('{'), 'Malformed message: not JSON');
  for (const text of ['[]', 'null', '"id"', '{"id":1}', '{}']) bad(() => readMessage(text), 'Malformed message: expected an object with a string "id"');
  bad(() => { throw unknownId(readMessage('{"id":"zap"}')); }, 'Invalid message id "zap"');
});

test('fields: required and optional strings, one of a set, candidates (extra fields dropped)', () => {
  const m = readMessage(JSON.stringify({ id: 'm', s: 'yes', e: '', n: 3, r: 'reject', c: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'u' } }));
  assert.equal(requireString(m, 's'), 'yes');
  bad(() => requireString(m, 'e'), 'm: "e" must be a non-empty string');
  bad(() => requireString(m, 's', 2), 'm: "s" must be at most 2 characters');
  assert.equal(optionalString(m, 'e'), undefined);
  assert.equal(optionalString(m, 'missing'), undefined);
  bad(() => optionalString(m, 'n'), 'm: "n" must be a string');
  assert.equal(requireOneOf(m, 'r', ['accept', 'reject']), 'reject');
  bad(() => requireOneOf(m, 's', ['accept', 'reject']), 'm: "s" must be "accept" or "reject"');
  const withCandidate = readMessage(JSON.stringify({ id: 'onIceCandidate', candidate: m.fields['c'] }));
  assert.deepEqual(requireCandidate(withCandidate), { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 });
  for (const candidate of [undefined, 'c', { candidate: 'x', sdpMid: '0' }, { candidate: 'x', sdpMid: '0', sdpMLineIndex: 0.5 }]) {
    bad(() => requireCandidate(readMessage(JSON.stringify({ id: 'onIceCandidate', candidate }))), 'onIceCandidate: "candidate" must have candidate, sdpMid and sdpMLineIndex');
  }
});
