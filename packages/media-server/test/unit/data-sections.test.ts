/** Rejecting an offer's data sections for an endpoint without data channels: text in, text out. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withoutDataSections } from '../../src/webrtc/dataSections.js';

const section = (kind: string, mid: string, rest = '') =>
  `m=${kind} 9 ${kind === 'application' ? 'UDP/DTLS/SCTP webrtc-datachannel' : 'UDP/TLS/RTP/SAVPF 111'}\r\nc=IN IP4 0.0.0.0\r\na=mid:${mid}\r\n${rest}`;
const session = (bundle: string) => `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE ${bundle}\r\n`;

test('an offer without data sections is left alone', () => {
  assert.equal(withoutDataSections(session('0 1') + section('audio', '0') + section('video', '1')), undefined);
});

test('a data section first (the BUNDLE tag): the stack sees the media only, the answer gets it back rejected in place, candidates are readdressed both ways', () => {
  const offer = session('0 1 2') + section('application', '0', 'a=sctp-port:5000\r\n') + section('audio', '1') + section('video', '2');
  const rejected = withoutDataSections(offer);
  assert.ok(rejected);
  assert.equal(rejected.offer, session('1 2') + section('audio', '1') + section('video', '2'));
  const stackAnswer = session('1 2') + section('audio', '1', 'a=setup:active\r\n') + section('video', '2', 'a=setup:active\r\n');
  assert.equal(
    rejected.answer(stackAnswer),
    session('1 2') + 'm=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n' + section('audio', '1', 'a=setup:active\r\n') + section('video', '2', 'a=setup:active\r\n'),
  );
  assert.deepEqual([0, 1].map((i) => rejected.clientIndex(i)), [1, 2], 'our candidates name the client’s m-line indexes');
  const candidate = 'candidate:1 1 udp 2122194687 127.0.0.1 50000 typ host';
  assert.deepEqual(rejected.stackCandidate({ candidate, sdpMid: '0', sdpMLineIndex: 0 }), { candidate, sdpMid: '1', sdpMLineIndex: 0 }, 'a candidate of the rejected tag goes to the bundled transport');
  assert.deepEqual(rejected.stackCandidate({ candidate, sdpMid: '2', sdpMLineIndex: 2 }), { candidate, sdpMid: '2', sdpMLineIndex: 1 });
});

test('a data section last, LF line ends, no BUNDLE group; an offer of data alone is refused with a clear error', () => {
  const offer = 'v=0\no=- 1 2 IN IP4 127.0.0.1\ns=-\nt=0 0\nm=audio 9 UDP/TLS/RTP/SAVPF 111\na=mid:a\nm=application 9 DTLS/SCTP 5000\na=mid:d\n';
  const rejected = withoutDataSections(offer);
  assert.ok(rejected);
  assert.equal(rejected.offer, 'v=0\no=- 1 2 IN IP4 127.0.0.1\ns=-\nt=0 0\nm=audio 9 UDP/TLS/RTP/SAVPF 111\na=mid:a\n');
  assert.match(rejected.answer('v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:a\r\n'), /m=audio 9[^]*\nm=application 0 DTLS\/SCTP 5000\nc=IN IP4 0\.0\.0\.0\na=mid:d\n$/);
  assert.throws(() => withoutDataSections(session('0') + section('application', '0')), /only data channels.*useDataChannels/);
});
