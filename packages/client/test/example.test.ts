/** The README's example runs for real, and the README shows exactly the code that runs. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { demo } from '../examples/hello.js';
import { startServer } from './helpers.js';

test('examples/hello.ts: the Hello World loopback connects', async () => {
  const server = await startServer();
  try {
    assert.deepEqual(await demo(server.url), { connectionState: 'CONNECTED', sinks: 3 });
    assert.equal(server.registry.size, 1, 'everything released but the server manager');
  } finally {
    await server.stop();
  }
});

test('README.md shows startHelloWorld exactly as examples/hello.ts has it', () => {
  const example = readFileSync(new URL('../examples/hello.ts', import.meta.url), 'utf8');
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const start = example.indexOf('export async function startHelloWorld');
  const body = example.slice(start, example.indexOf('\n}\n', start) + 2);
  assert.ok(start >= 0 && body.length > 100);
  assert.ok(readme.includes(body), 'README.md must contain the function verbatim');
});
