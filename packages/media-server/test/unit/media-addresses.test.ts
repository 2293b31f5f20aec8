/** Which addresses the server offers for media, who can reach them, and what start prints. */
import assert from 'node:assert/strict';
import type { NetworkInterfaceInfo } from 'node:os';
import { test } from 'node:test';
import { addressScope, mediaAddressReport, offeredAddresses } from '../../src/config/mediaAddresses.js';

const nic = (address: string, internal = false): NetworkInterfaceInfo => ({
  address, internal, netmask: '255.255.255.0', family: address.includes(':') ? 'IPv6' : 'IPv4', mac: '00:00:00:00:00:00', cidr: null,
} as NetworkInterfaceInfo);
const machine = { lo: [nic('127.0.0.1', true), nic('::1', true)], eth0: [nic('10.1.2.3'), nic('fe80::1')], eth1: [nic('203.0.114.7')] };
const none = { networkInterfaces: [], stunServerAddress: '', turnUrl: '' };

test('scopes: loopback, private (not routed on the internet), public', () => {
  const cases: Record<string, string> = {
    '127.0.0.1': 'loopback', '::1': 'loopback', '10.0.0.1': 'private', '172.16.0.1': 'private', '172.32.0.1': 'public', '192.168.1.1': 'private',
    '100.64.0.1': 'private', '169.254.1.1': 'private', '192.0.2.2': 'private', 'fd00::1': 'private', 'fe80::1': 'private', '::ffff:10.0.0.1': 'private',
    '8.8.8.8': 'public', '2001:4860::1': 'public',
  };
  assert.deepEqual(Object.fromEntries(Object.keys(cases).map((a) => [a, addressScope(a)])), cases);
});

test('offered: the configured addresses, else every IPv4 address but loopback (as werift gathers)', () => {
  assert.deepEqual(offeredAddresses([], machine), ['10.1.2.3', '203.0.114.7']);
  assert.deepEqual(offeredAddresses(['127.0.0.1', '127.0.0.1'], machine), ['127.0.0.1']);
});

test('the start report: addresses, and a warning unless one is public or STUN/TURN may find one', () => {
  assert.deepEqual(mediaAddressReport(none, machine), { line: 'Media offered on 10.1.2.3, 203.0.114.7 (every interface but loopback; --network-interfaces chooses)' });
  const privateOnly = mediaAddressReport(none, { lo: machine.lo, eth0: machine.eth0 });
  assert.equal(privateOnly.line, 'Media offered on 10.1.2.3 (every interface but loopback; --network-interfaces chooses)');
  assert.match(privateOnly.warning ?? '', /^media only on private or loopback addresses: browsers outside this network get no media; pass --network-interfaces with a public address, or give the endpoints a TURN server \(--turn-url\)$/);
  assert.deepEqual(mediaAddressReport({ ...none, stunServerAddress: 'stun.example.org' }, { eth0: machine.eth0 }), {
    line: 'Media offered on 10.1.2.3 (every interface but loopback; --network-interfaces chooses), and what STUN at stun.example.org finds',
  });
  const loopback = mediaAddressReport({ ...none, networkInterfaces: ['127.0.0.1'] }, machine);
  assert.equal(loopback.line, 'Media offered on 127.0.0.1 (--network-interfaces)');
  assert.match(loopback.warning ?? '', /^media only on loopback: only browsers on this machine get media/);
  const nothing = mediaAddressReport(none, { lo: machine.lo });
  assert.equal(nothing.line, 'Media: no address offered (every interface but loopback; --network-interfaces chooses)');
  assert.match(nothing.warning ?? '', /no network interface but loopback, so browsers get no media: pass --network-interfaces 127\.0\.0\.1/);
});
