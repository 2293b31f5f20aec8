/** CandidateQueue's ordering rules, without a browser (the browser case is in peer.test.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CandidateQueue } from '../src/candidateQueue.js';

/** A fake peer connection: records what it is given, can take candidates once `ready`. */
function fakePeer(fail: (c: string) => boolean = () => false) {
  const applied: string[] = [];
  const state = { ready: false };
  const queue = new CandidateQueue<string>(async (c) => {
    if (fail(c)) throw new Error(`bad ${c}`);
    applied.push(c);
  }, () => state.ready);
  return { applied, state, queue };
}

const outcome = (p: Promise<void>): Promise<string> => p.then(() => 'ok', (e: Error) => e.message);

test('waits until the peer connection can take candidates, then applies them in arrival order', async () => {
  const { applied, state, queue } = fakePeer();
  const results = ['a', 'b', 'c'].map((c) => outcome(queue.add(c)));
  queue.flush(); // not ready: nothing moves
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(applied, []);
  assert.equal(queue.size, 3);
  state.ready = true;
  const late = outcome(queue.add('d')); // behind the waiting ones, even though ready
  queue.flush();
  assert.deepEqual(await Promise.all([...results, late]), ['ok', 'ok', 'ok', 'ok']);
  assert.deepEqual(applied, ['a', 'b', 'c', 'd']);
  assert.equal(queue.size, 0);
});

test('one failing candidate fails alone', async () => {
  const { applied, state, queue } = fakePeer((c) => c === 'b');
  const results = ['a', 'b', 'c'].map((c) => outcome(queue.add(c)));
  state.ready = true;
  queue.flush();
  assert.deepEqual(await Promise.all(results), ['ok', 'bad b', 'ok']);
  assert.deepEqual(applied, ['a', 'c']);
});

test('close rejects the waiting candidates and every later one', async () => {
  const { applied, state, queue } = fakePeer();
  const waiting = outcome(queue.add('a'));
  queue.close(new Error('disposed'));
  state.ready = true;
  queue.flush();
  assert.equal(await waiting, 'disposed');
  assert.equal(await outcome(queue.add('b')), 'disposed');
  assert.deepEqual(applied, []);
});
