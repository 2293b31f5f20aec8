import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, defaultConfig, loadConfig } from '../../src/config/config.js';

test('defaults: loopback, port 8888, path /kurento', () => {
  const { config } = loadConfig([], {});
  assert.deepEqual(config, defaultConfig);
  assert.equal(config.host, '127.0.0.1');
});

test('file < environment < flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kts-config-'));
  const file = join(dir, 'kurento.json');
  writeFileSync(file, JSON.stringify({ port: 7000, host: '::1', networkInterfaces: ['127.0.0.1'], logLevel: 'debug' }));
  const { config } = loadConfig(['--config', file, '--port=9000'], { KURENTO_PORT: '8000', KURENTO_MIN_PORT: '40000', KURENTO_MAX_PORT: '40100' });
  assert.equal(config.port, 9000);
  assert.equal(config.host, '::1');
  assert.deepEqual(config.networkInterfaces, ['127.0.0.1']);
  assert.deepEqual([config.minPort, config.maxPort], [40000, 40100]);
  assert.equal(config.logLevel, 'debug');
});

test('bad options are clear errors at start', () => {
  const bad: [string[], Record<string, string>, RegExp][] = [
    [['--port', '70000'], {}, /--port: port must be an integer in 0..65535, got "70000"/],
    [['--colour', 'red'], {}, /unknown option --colour/],
    [['--port'], {}, /--port needs a value/],
    [[], { KURENTO_NETWORK_INTERFACES: 'eth0' }, /environment KURENTO_NETWORK_INTERFACES: networkInterfaces must be a list of IP addresses/],
    [[], { KURENTO_LOG_LEVEL: 'loud' }, /logLevel must be one of silent, error, warn, info, debug/],
    [['--min-port', '5000'], {}, /minPort and maxPort must be set together/],
    [['--config', '/nonexistent.json'], {}, /config file \/nonexistent.json/],
  ];
  for (const [argv, env, message] of bad) assert.throws(() => loadConfig(argv, env), (e: unknown) => e instanceof ConfigError && message.test(e.message), argv.join(' '));
});

test('--help is reported, not an error', () => {
  assert.equal(loadConfig(['--help'], {}).help, true);
});
