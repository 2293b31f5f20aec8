/** MediaTimeline: one recording's clock across sources. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MediaTimeline } from '../../src/media/MediaTimeline.js';

test('a new source never starts before the previous one ended, even when the previous one came in late', () => {
  const timeline = new MediaTimeline('video');
  // The first source's first frame arrives 300 ms late; its two seconds then follow its RTP clock.
  const first = [0, 1, 2, 60].map((frame) => Math.round(timeline.localTime('video', 1, frame * 3000, 90000, 300 + frame * 10)));
  assert.deepEqual(first, [300, 333, 367, 2300]);
  // The second source arrives when the first really ended (2100), before its last frame's time.
  const second = [0, 1].map((frame) => timeline.localTime('video', 2, 777 + frame * 3000, 90000, 2100));
  assert.ok(second[0] !== undefined && second[0] > 2300, `the new source starts at ${second[0]}, after 2300`);
  assert.ok(second[0] !== undefined && second[1] !== undefined && Math.abs(second[1] - second[0] - 100 / 3) < 1e-6, 'and then follows its own clock');
  // A source that arrives after the previous one's end starts at its arrival.
  assert.equal(timeline.localTime('video', 3, 5, 90000, 9000), 9000);
});
