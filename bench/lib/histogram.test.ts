import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatencyHistogram, percentile } from './histogram.js';

test('histogram percentiles land in the right bucket', () => {
  const h = new LatencyHistogram(0.01, 100);
  for (let i = 1; i <= 100; i++) h.record(i / 10); // 0.1 .. 10 ms
  assert.equal(h.count, 100);
  assert.ok(Math.abs(h.percentile(0.5) - 5) < 0.02);
  assert.ok(Math.abs(h.percentile(0.95) - 9.5) < 0.02);
  h.record(1e9); // clamped, not lost
  assert.ok(h.percentile(1) > 99);
  h.reset();
  assert.ok(Number.isNaN(h.percentile(0.5)));
});

test('array percentile is nearest-rank', () => {
  assert.equal(percentile([5, 1, 3, 2, 4], 0.5), 3);
  assert.equal(percentile([5, 1, 3, 2, 4], 0.95), 5);
  assert.ok(Number.isNaN(percentile([], 0.5)));
});
