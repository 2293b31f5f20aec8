/**
 * Command-line flags and environment variables of a tutorial's start command, the same for
 * every tutorial but for their names (HELLO_WORLD_PORT, GROUP_CALL_PORT...). Flags win over the
 * environment. The embedded media server takes its settings from the media server's own
 * configuration (its KURENTO_* variables, see `npm run media-server -- --help`); the two flags
 * that matter most here are translated into it.
 */
import { isIP } from 'node:net';
import { loadConfig, type ServerConfig } from '@kurento-ts/media-server';
import type { Tutorial } from './tutorial.js';

/** What the options depend on. */
export type OptionNames = Pick<Tutorial<unknown>, 'title' | 'command' | 'summary' | 'envPrefix' | 'signallingPath'>;

/** What the start command was told. */
export interface Options {
  /** HTTPS port of the page and its WebSocket. */
  port: number;
  /** Address the HTTPS server listens on. */
  host: string;
  /** An external media server; undefined: start the embedded one with `mediaServer`. */
  wsUri: string | undefined;
  /** The embedded media server's configuration (unused with wsUri). */
  mediaServer: ServerConfig;
}

/** A wrong flag or value: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

interface Flag {
  name: string;
  env: string;
  arg: string;
  fallback: string;
  help: string;
}

/** The default HTTPS port: Kurento's tutorials all use 8443. */
export const DEFAULT_PORT = 8443;

function flagsOf(names: OptionNames): readonly Flag[] {
  return [
    { name: 'port', env: `${names.envPrefix}_PORT`, arg: '<port>', fallback: String(DEFAULT_PORT), help: `HTTPS port of the page and its ${names.signallingPath} WebSocket` },
    { name: 'host', env: `${names.envPrefix}_HOST`, arg: '<address>', fallback: '127.0.0.1', help: 'address to listen on (0.0.0.0: other machines too)' },
    { name: 'ws-uri', env: 'KURENTO_WS_URI', arg: '<url>', fallback: '(embedded)', help: 'use this media server (e.g. Kurento Media Server) instead of starting one' },
    { name: 'kurento-port', env: 'KURENTO_PORT', arg: '<port>', fallback: '8888', help: 'port of the embedded media server' },
    { name: 'network-interfaces', env: 'KURENTO_NETWORK_INTERFACES', arg: '<ip,...>', fallback: '(all)', help: 'addresses the embedded media server offers for media' },
  ];
}

/** The --help text. */
export function usage(names: OptionNames): string {
  const rows = flagsOf(names).map((f) => `  --${`${f.name} ${f.arg}`.padEnd(30)} ${f.env.padEnd(28)} ${f.fallback.padEnd(11)} ${f.help}`);
  return [
    `Usage: ${names.command} -- [options]`,
    '',
    `Kurento's ${names.title}: starts the media server (embedded, unless --ws-uri names one) and the`,
    `tutorial's HTTPS server. ${names.summary}`,
    '',
    `  ${'flag'.padEnd(32)} ${'environment'.padEnd(28)} ${'default'.padEnd(11)} meaning`,
    ...rows,
    `  ${'--help'.padEnd(32)} ${''.padEnd(28)} ${''.padEnd(11)} this text`,
    '',
    'The embedded media server also reads the media server\'s other KURENTO_* variables',
    '(npm run media-server -- --help lists them).',
  ].join('\n');
}

function parsePort(value: string, source: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n > 65535) throw new UsageError(`${source} must be a port number (0..65535), got ${JSON.stringify(value)}`);
  return n;
}

function parseWsUri(value: string, source: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${source} must be a ws:// or wss:// URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new UsageError(`${source} must be a ws:// or wss:// URL, got ${JSON.stringify(value)}`);
  return value;
}

/** Reads flags (`--name value` or `--name=value`) and the environment; `help` means print usage. */
export function parseOptions(names: OptionNames, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Options | 'help' {
  const known = flagsOf(names);
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') return 'help';
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const flag = known.find((f) => f.name === m?.[1]);
    if (!m || !flag) throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    const value = m[2] ?? argv[++i];
    if (value === undefined || value === '') throw new UsageError(`--${flag.name} needs a value`);
    flags.set(flag.name, value);
  }
  const get = (name: string): { value: string; source: string } | undefined => {
    const flag = known.find((f) => f.name === name);
    if (!flag) return undefined;
    const fromFlag = flags.get(name);
    if (fromFlag !== undefined) return { value: fromFlag, source: `--${name}` };
    const fromEnv = env[flag.env];
    return fromEnv ? { value: fromEnv, source: flag.env } : undefined;
  };

  const port = get('port');
  const host = get('host');
  if (host && isIP(host.value) === 0 && host.value !== 'localhost') throw new UsageError(`${host.source} must be an IP address, got ${JSON.stringify(host.value)}`);
  const wsUri = get('ws-uri');
  const embeddedOnly = ['kurento-port', 'network-interfaces'].filter((name) => flags.has(name));
  if (wsUri && embeddedOnly.length > 0) {
    throw new UsageError(`--${embeddedOnly.join(', --')} configure${embeddedOnly.length === 1 ? 's' : ''} the embedded media server, which --ws-uri replaces`);
  }

  // The embedded server: its own configuration (defaults, KURENTO_CONFIG file, KURENTO_* variables),
  // then our flags under its names. Its errors name the option.
  const serverArgs: string[] = [];
  const kurentoPort = flags.get('kurento-port');
  if (kurentoPort !== undefined) serverArgs.push('--port', String(parsePort(kurentoPort, '--kurento-port')));
  const interfaces = flags.get('network-interfaces');
  if (interfaces !== undefined) serverArgs.push('--network-interfaces', interfaces);
  let mediaServer: ServerConfig;
  try {
    mediaServer = loadConfig(wsUri ? [] : serverArgs, wsUri ? {} : env).config;
  } catch (e) {
    throw new UsageError(`media server: ${(e as Error).message}`);
  }

  return {
    port: port ? parsePort(port.value, port.source) : DEFAULT_PORT,
    host: host?.value ?? '127.0.0.1',
    wsUri: wsUri ? parseWsUri(wsUri.value, wsUri.source) : undefined,
    mediaServer,
  };
}
