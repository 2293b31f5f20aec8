/** The options every tutorial shares, under each tutorial's own names. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_PORT, parseOptions, usage, UsageError, type OptionNames } from '../src/index.js';

const names: OptionNames = { title: 'Some tutorial', command: 'npm start -w tutorials/some', summary: 'Do this.', envPrefix: 'SOME_TUTORIAL', signallingPath: '/some' };

test('each tutorial reads its own port and host variables; the media server\'s are shared', () => {
  const env = { SOME_TUTORIAL_PORT: '9443', SOME_TUTORIAL_HOST: '0.0.0.0', HELLO_WORLD_PORT: '1', KURENTO_PORT: '9888', KURENTO_NETWORK_INTERFACES: '127.0.0.1' };
  const options = parseOptions(names, [], env);
  assert.ok(options !== 'help');
  assert.deepEqual([options.port, options.host, options.mediaServer.port, options.mediaServer.networkInterfaces], [9443, '0.0.0.0', 9888, ['127.0.0.1']]);
  const defaults = parseOptions(names, [], {});
  assert.ok(defaults !== 'help');
  assert.deepEqual([defaults.port, defaults.host, defaults.wsUri], [DEFAULT_PORT, '127.0.0.1', undefined]);
  assert.throws(() => parseOptions(names, ['--port', 'x'], {}), (e: unknown) => e instanceof UsageError && /--port must be a port number/.test(e.message));
});

test('--help names the command, the variables and the signalling path', () => {
  const text = usage(names);
  for (const part of ['Usage: npm start -w tutorials/some -- [options]', "Kurento's Some tutorial", 'Do this.', 'SOME_TUTORIAL_PORT', 'SOME_TUTORIAL_HOST', 'its /some WebSocket', 'KURENTO_WS_URI']) {
    assert.ok(text.includes(part), `--help mentions ${part}:\n${text}`);
  }
});
