/**
 * ZBarFilter's unit with real media: a QR code drawn by GStreamer's qroverlay into a VP8
 * stream is read by zbar, and reported once under Kurento's rule (a new symbol, or the same one
 * at least a second later).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ProcessingBackend, type CodeFound } from '../../src/processing/index.js';
import { BarcodeReporter } from '../../src/processing/BarcodeReporter.js';
import { setLogLevel } from '../../src/support/logger.js';
import { HEIGHT, SENDER_ENCODERS, WIDTH, rtpSender } from './helpers/media.js';
import { VP8, childPids, sleep } from './helpers/units.js';

setLogLevel('silent');
const backend = new ProcessingBackend();
after(async () => {
  await backend.closeAll();
  assert.deepEqual(childPids(), []);
});

const qrSource = (text: string, frames: number): string =>
  `videotestsrc is-live=true num-buffers=${frames} pattern=white ! video/x-raw,width=${WIDTH},height=${HEIGHT},framerate=30/1 ! qroverlay data="${text}" case-sensitive=true pixel-size=6 x=30 y=20`;

test('a QR code in the stream yields its text once (Kurento\'s CodeFound rule), and the unit gives no RTP back', async (t) => {
  const unit = await backend.createBarcodeScanner({ input: VP8 });
  t.after(() => unit.close());
  const codes: CodeFound[] = [];
  unit.codes.add((c) => codes.push(c));
  // 24 frames: 0.8 s of the same symbol, inside one second.
  const sender = rtpSender(qrSource('kurento-ts', 24), SENDER_ENCODERS.VP8, (p) => unit.push(p));
  await sender.exited;
  await sleep(600);
  assert.deepEqual(codes, [{ codeType: 'QR-Code', value: 'kurento-ts' }]);
  assert.equal(unit.output, undefined);
  assert.equal(unit.stats().packetsOut, 0);
  assert.ok(unit.stats().packetsIn > 20);
});

test('the rule: the same symbol again only after a second; a different one at once', () => {
  let now = 0;
  const rule = new BarcodeReporter(1000, () => now);
  assert.equal(rule.accept('QR-Code', 'a'), true);
  now = 500;
  assert.equal(rule.accept('QR-Code', 'a'), false);
  now = 999;
  assert.equal(rule.accept('QR-Code', 'a'), false);
  now = 1000;
  assert.equal(rule.accept('QR-Code', 'a'), true, 'a second after the last report');
  now = 1001;
  assert.equal(rule.accept('QR-Code', 'b'), true, 'a new symbol');
  assert.equal(rule.accept('QR-Code', 'a'), true, 'back to the first: a change too');
  assert.equal(rule.accept('EAN-13', 'a'), true, 'another symbology is another symbol');
});
