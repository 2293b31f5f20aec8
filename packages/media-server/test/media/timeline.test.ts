/** MediaTimeline: one recording's clock across sources. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MediaTimeline } from '../../src/media/MediaTimeline.js';

test('a new source never starts before the previous one\'s last frame has had its time, even when the previous one came in late', () => {
  const timeline = new MediaTimeline('video');
  // The first source's first frame arrives 300 ms late; its two seconds then follow its RTP clock.
  const first = Array.from({ length: 61 }, (_, frame) => Math.round(timeline.localTime('video', 1, frame * 3000, 90000, 300 + frame * 10)));
  assert.deepEqual([first[0], first[1], first[2], first[60]], [300, 333, 367, 2300]);
  // The second source arrives when the first really ended (2100), before its last frame's time.
  const second = [0, 1].map((frame) => timeline.localTime('video', 2, 777 + frame * 3000, 90000, 2100));
  assert.equal(Math.round(second[0] ?? 0), 2300 + 33, 'the new source starts one frame interval after the last frame');
  assert.ok(second[0] !== undefined && second[1] !== undefined && Math.abs(second[1] - second[0] - 100 / 3) < 1e-6, 'and then follows its own clock');
  // A source that arrives just after the previous one's last frame still gives that frame its time.
  const third = timeline.localTime('video', 4, 0, 90000, (second[1] ?? 0) + 5);
  assert.equal(Math.round(third - (second[1] ?? 0)), 33);
  // A source that arrives after the previous one's end starts at its arrival.
  assert.equal(timeline.localTime('video', 3, 5, 90000, 9000), 9000);
});
