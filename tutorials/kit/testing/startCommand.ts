/**
 * The start command's checks every tutorial shares, as node:test tests: --help, a wrong flag,
 * a busy port. Each tutorial's test/cli.test.ts registers them for itself.
 */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { Tutorial } from '../src/tutorial.js';
import { npmStartToEnd, type Launch } from './npmStart.js';

/** Registers the start command's tests for `tutorial`, started as `launch`. */
export function startCommandTests<Out>(tutorial: Tutorial<Out>, launch: Launch): void {
  test(`${tutorial.command} -- --help lists the flags with ${tutorial.envPrefix}_* variables`, async () => {
    const { code, output } = await npmStartToEnd(launch, ['--help']);
    assert.equal(code, 0, output);
    for (const part of [`Usage: ${tutorial.command} -- [options]`, '--port', '--host', '--ws-uri', '--kurento-port', '--network-interfaces', `${tutorial.envPrefix}_PORT`, `${tutorial.envPrefix}_HOST`, tutorial.signallingPath]) {
      assert.ok(output.includes(part), `--help mentions ${part}:\n${output}`);
    }
  });

  test(`${tutorial.command}: a wrong flag exits with code 2 and a pointer to --help`, async () => {
    const { code, output } = await npmStartToEnd(launch, ['--verbose']);
    assert.equal(code, 2, output);
    assert.match(output, new RegExp(`${tutorial.name}: unknown argument "--verbose" \\(try --help\\)`));
  });

  test(`${tutorial.command}: a busy page port is named, exit code 1, no stack trace`, async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as AddressInfo).port;
    try {
      const { code, output } = await npmStartToEnd(launch, ['--port', String(port), '--kurento-port', '0']);
      assert.equal(code, 1, output);
      assert.match(output, new RegExp(`${tutorial.name}: cannot start: port ${port} is busy: .*the ${tutorial.title} server cannot start \\(choose another with --port\\)`));
      assert.doesNotMatch(output, /\n\s+at /, 'no stack trace');
    } finally {
      busy.close();
    }
  });
}
