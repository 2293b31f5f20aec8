import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, defaultConfig, loadConfig, usage, validate } from '../../src/config/config.js';

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
    [['--port', '70000'], {}, /^--port must be an integer in 0..65535, got "70000"$/],
    [['--colour', 'red'], {}, /unknown option --colour/],
    [['--port'], {}, /--port needs a value/],
    [[], { KURENTO_NETWORK_INTERFACES: 'eth0' }, /^environment KURENTO_NETWORK_INTERFACES must be a list of IP addresses/],
    [[], { KURENTO_LOG_LEVEL: 'loud' }, /^environment KURENTO_LOG_LEVEL must be one of silent, error, warn, info, debug/],
    [['--min-port', '5000'], {}, /^--min-port and --max-port must be set together$/],
    [['--config', '/nonexistent.json'], {}, /config file \/nonexistent.json/],
  ];
  for (const [argv, env, message] of bad) assert.throws(() => loadConfig(argv, env), (e: unknown) => e instanceof ConfigError && message.test(e.message), argv.join(' '));
});

test('--help is reported, not an error', () => {
  assert.equal(loadConfig(['--help'], {}).help, true);
});

test('--help words the defaults as the README does: (all), (any), none, not [], 0, ""', () => {
  const text = usage();
  const defaultOf = (flag: string): string | undefined => new RegExp(`^  --${flag} .*; default: (.*)$`, 'm').exec(text)?.[1];
  assert.deepEqual(
    Object.fromEntries(['network-interfaces', 'min-port', 'max-port', 'stun-server-address', 'turn-url', 'auth-token', 'tls-cert', 'tls-key', 'http-allow-list', 'http-endpoint-port', 'host', 'port', 'log-level'].map((f) => [f, defaultOf(f)])),
    {
      'network-interfaces': '(all)', 'min-port': '(any)', 'max-port': '(any)', 'stun-server-address': 'none', 'turn-url': 'none', 'auth-token': 'none',
      'tls-cert': 'none', 'tls-key': 'none', 'http-allow-list': '(any)', 'http-endpoint-port': '0 (a free port)', host: '127.0.0.1', port: '8888', 'log-level': 'info',
    },
  );
  assert.equal(defaultOf('media-root'), `the temp directory, ${tmpdir()}`);
  assert.doesNotMatch(text, /default: (\[\]|""|\[")/, 'no default shown as a JSON value');
});

test('errors name the flags, not the configuration keys, whichever source set the values', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'kts-config-')), 'kurento.json');
  writeFileSync(file, JSON.stringify({ minPort: 40100, maxPort: 40000 }));
  const cases: [string[], Record<string, string>, string][] = [
    [['--config', file], {}, '--min-port (40100) must be below --max-port (40000)'],
    [['--tls-cert', '/etc/cert.pem'], {}, '--tls-cert and --tls-key must be set together'],
    [[], { KURENTO_TLS_KEY: '/etc/key.pem' }, '--tls-cert and --tls-key must be set together'],
    [['--max-message-bytes', '10'], {}, '--max-message-bytes must be at least 1024'],
    [['--http-endpoint-port', '8000', '--media-workers', '2'], {}, '--http-endpoint-port must be 0 with --media-workers: each worker takes uploads on a free port of its own'],
  ];
  for (const [argv, env, message] of cases) assert.throws(() => loadConfig(argv, env), (e: unknown) => e instanceof ConfigError && e.message === message, `${argv.join(' ')} ${JSON.stringify(env)}`);
  // A file names its own keys: that is what its author wrote.
  writeFileSync(file, JSON.stringify({ minPort: 'low' }));
  assert.throws(() => loadConfig(['--config', file], {}), { message: `config file ${file}: minPort must be an integer in 0..${Number.MAX_SAFE_INTEGER}, got "low"` });
});

test('mediaWorkers: N or auto (one per core) from a flag, the environment or a file; bad values refused', () => {
  assert.equal(loadConfig(['--media-workers', '3'], {}).config.mediaWorkers, 3);
  assert.equal(loadConfig(['--media-workers=auto'], {}).config.mediaWorkers, availableParallelism());
  assert.equal(loadConfig([], { KURENTO_MEDIA_WORKERS: '2' }).config.mediaWorkers, 2);
  const file = join(mkdtempSync(join(tmpdir(), 'kts-config-')), 'kurento.json');
  writeFileSync(file, JSON.stringify({ mediaWorkers: 'auto' }));
  assert.equal(loadConfig(['--config', file], {}).config.mediaWorkers, availableParallelism());
  assert.throws(() => loadConfig(['--media-workers', 'many'], {}), { message: '--media-workers must be auto or an integer in 0..256, got "many"' });
  assert.throws(() => loadConfig(['--media-workers', '1000'], {}), /--media-workers must be auto or an integer in 0..256/);
  assert.throws(() => validate({ ...defaultConfig, mediaWorkers: -1 }), { message: '--media-workers must be an integer in 0..256, got -1' });
});

test('metrics and dashboard: off by default, loopback metrics, set by flags or the environment; bad values refused', () => {
  assert.equal(defaultConfig.metricsPort, 0);
  assert.equal(defaultConfig.metricsAddress, '127.0.0.1');
  assert.equal(defaultConfig.dashboard, false);
  const { config } = loadConfig(['--metrics-port', '9464', '--metrics-address', '::1', '--dashboard', 'true'], {});
  assert.deepEqual([config.metricsPort, config.metricsAddress, config.dashboard], [9464, '::1', true]);
  assert.equal(loadConfig([], { KURENTO_DASHBOARD: 'true', KURENTO_METRICS_PORT: '9100' }).config.metricsPort, 9100);
  assert.throws(() => loadConfig(['--metrics-port', '70000'], {}), ConfigError);
  assert.throws(() => loadConfig(['--dashboard', 'yes'], {}), ConfigError);
  assert.throws(() => validate({ ...defaultConfig, metricsPort: 9464, metricsAddress: '' }), /--metrics-address must not be empty/);
});
