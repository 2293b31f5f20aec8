/**
 * Server configuration: defaults, overridden by a JSON file, then environment variables, then
 * command-line flags. Every option is declared once in `optionTable`, so the three sources,
 * validation and `--help` cannot drift apart. A bad value is an error at start.
 */
import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { logLevels, type LogLevel } from '../support/logger.js';
import { derivedBudgets, machineFacts } from './machine.js';

/** The media server's settings. */
export interface ServerConfig {
  /** TCP port of the Kurento Protocol WebSocket. */
  port: number;
  /** Address the WebSocket listens on (loopback by default: secure by default). */
  host: string;
  /** HTTP path of the WebSocket endpoint. */
  path: string;
  /** Addresses ICE may use for host candidates; empty means every interface. */
  networkInterfaces: string[];
  /** Lowest UDP port for media (0 with maxPort 0: any port). */
  minPort: number;
  /** Highest UDP port for media. */
  maxPort: number;
  /** Default STUN server of new WebRtcEndpoints (empty: none). */
  stunServerAddress: string;
  /** Port of the default STUN server. */
  stunServerPort: number;
  /** Default TURN URL of new WebRtcEndpoints, `user:password@host:port` (empty: none). */
  turnUrl: string;
  /** Largest JSON-RPC message accepted, in bytes. */
  maxMessageBytes: number;
  /** Largest SDP accepted, in bytes. */
  maxSdpBytes: number;
  /** Most media objects one session may hold. */
  maxObjectsPerSession: number;
  /** Sessions in all, connected or in their grace period, and WebSockets in all (0: no limit). */
  maxSessions: number;
  /** Media pipelines in all (0: no limit). */
  maxPipelines: number;
  /** Endpoints (WebRtcEndpoint and other Endpoint classes) in all (0: no limit). */
  maxEndpoints: number;
  /** Media objects of every class in all (0: no limit). */
  maxObjects: number;
  /** Media UDP sockets in all, across media workers (0: no limit). */
  maxUdpSockets: number;
  /** Sessions, and WebSockets, of one client: a remote address, and a token when several are configured (0: no limit). */
  maxSessionsPerClient: number;
  /** Media objects one client's sessions created and that still live (0: no limit). */
  maxObjectsPerClient: number;
  /** While a budget is 80 % used, how long a disconnected session keeps its objects, in ms (the oldest go first). */
  sessionGraceUnderPressureMs: number;
  /** How long an endpoint may hold media sockets without its transport connecting, in ms (0: no limit). */
  negotiationTimeoutMs: number;
  /** Sustained JSON-RPC requests per second one socket may send (bursts up to twice that); 0: no limit. */
  maxRequestsPerSecond: number;
  /** How long a disconnected session keeps its objects for a `connect` resume, in ms. */
  sessionGraceMs: number;
  /** Shared secret clients must present (`access_token` in the URL query, or a Bearer header); empty: none. */
  authToken: string;
  /** PEM certificate file: when set with tlsKey, the server speaks wss://. */
  tlsCert: string;
  /** PEM private key file for tlsCert. */
  tlsKey: string;
  /** Log verbosity. */
  logLevel: LogLevel;
  /** RTP through our own SRTP and forwarding path once DTLS is up (false: werift's packet path). */
  rtpFastPath: boolean;
  /** Whether edges whose sink takes no codec of its source go through a GStreamer transcoder (else: an Error event, nothing sent). */
  transcoding: boolean;
  /** Media worker threads (0: media runs in the main thread with the control plane). */
  mediaWorkers: number;
  /** Directories recorder and player file URIs must stay in; relative URIs resolve in the first. */
  mediaRoots: string[];
  /** Hosts (`host` or `host:port`) recorder and player http(s) URIs may name; empty: any. */
  httpAllowList: string[];
  /** TCP port HttpPostEndpoints take uploads on, at the WebSocket's address (0: a free port, one per media worker). */
  httpEndpointPort: number;
  /** TCP port of the Prometheus metrics (`GET /metrics`); 0: no metrics. */
  metricsPort: number;
  /** Address the metrics listen on (loopback by default). */
  metricsAddress: string;
  /** Whether the control port also serves the live pipeline dashboard at `/dashboard`. */
  dashboard: boolean;
}

export const defaultConfig: Readonly<ServerConfig> = {
  port: 8888,
  host: '127.0.0.1',
  path: '/kurento',
  networkInterfaces: [],
  minPort: 0,
  maxPort: 0,
  stunServerAddress: '',
  stunServerPort: 3478,
  turnUrl: '',
  maxMessageBytes: 1024 * 1024,
  maxSdpBytes: 64 * 1024,
  maxObjectsPerSession: 1000,
  ...derivedBudgets(machineFacts()),
  sessionGraceUnderPressureMs: 10_000,
  negotiationTimeoutMs: 60_000,
  maxRequestsPerSecond: 1000,
  sessionGraceMs: 120_000,
  authToken: '',
  tlsCert: '',
  tlsKey: '',
  logLevel: 'info',
  rtpFastPath: true,
  transcoding: true,
  mediaWorkers: 0,
  mediaRoots: [tmpdir()],
  httpAllowList: [],
  httpEndpointPort: 0,
  metricsPort: 0,
  metricsAddress: '127.0.0.1',
  dashboard: false,
};

/** The most media worker threads accepted. */
export const MAX_MEDIA_WORKERS = 256;

type OptionKind = 'port' | 'int' | 'string' | 'addresses' | 'path' | 'logLevel' | 'boolean' | 'workers' | 'list';

interface OptionDef {
  key: keyof ServerConfig;
  kind: OptionKind;
  help: string;
  /** The flag's name when it is not the key in kebab case (`--media-root` for mediaRoots). */
  flag?: string;
  /** The default as --help words it, when its value would say nothing (`[]`, `0`, `""`). */
  shown?: string;
}

const optionTable: readonly OptionDef[] = [
  { key: 'port', kind: 'port', help: 'WebSocket port' },
  { key: 'host', kind: 'string', help: 'WebSocket listen address' },
  { key: 'path', kind: 'path', help: 'WebSocket path' },
  { key: 'networkInterfaces', kind: 'addresses', help: 'comma-separated addresses for ICE host candidates', shown: '(all)' },
  { key: 'minPort', kind: 'int', help: 'lowest media UDP port', shown: '(any)' },
  { key: 'maxPort', kind: 'int', help: 'highest media UDP port', shown: '(any)' },
  { key: 'stunServerAddress', kind: 'string', help: 'default STUN server address', shown: 'none' },
  { key: 'stunServerPort', kind: 'port', help: 'default STUN server port' },
  { key: 'turnUrl', kind: 'string', help: 'default TURN url user:password@host:port', shown: 'none' },
  { key: 'maxMessageBytes', kind: 'int', help: 'largest JSON-RPC message in bytes' },
  { key: 'maxSdpBytes', kind: 'int', help: 'largest SDP in bytes' },
  { key: 'maxObjectsPerSession', kind: 'int', help: 'most media objects per session' },
  { key: 'maxSessions', kind: 'int', help: 'sessions and WebSockets in all (derived: 10% of the fd limit; 0: none)' },
  { key: 'maxPipelines', kind: 'int', help: 'pipelines in all (derived: as max-endpoints; 0: none)' },
  { key: 'maxEndpoints', kind: 'int', help: 'endpoints in all (derived: half the memory at 1 MB each, at most max-udp-sockets; 0: none)' },
  { key: 'maxObjects', kind: 'int', help: 'media objects in all (derived: 4 per endpoint; 0: none)' },
  { key: 'maxUdpSockets', kind: 'int', help: 'media UDP sockets in all (derived: 80% of the fd limit; 0: none)' },
  { key: 'maxSessionsPerClient', kind: 'int', help: 'sessions and WebSockets per client address/token (derived: half of max-sessions; 0: none)' },
  { key: 'maxObjectsPerClient', kind: 'int', help: 'media objects per client address/token (derived: half of max-endpoints; 0: none)' },
  { key: 'sessionGraceUnderPressureMs', kind: 'int', help: 'grace of disconnected sessions while a budget is 80% used' },
  { key: 'negotiationTimeoutMs', kind: 'int', help: 'ms an endpoint may hold media sockets before its transport connects (0: no limit)' },
  { key: 'maxRequestsPerSecond', kind: 'int', help: 'requests per second per socket (bursts 2x; 0: no limit)' },
  { key: 'sessionGraceMs', kind: 'int', help: 'ms a disconnected session keeps its objects' },
  { key: 'authToken', kind: 'string', help: 'shared secret clients must send as access_token', shown: 'none' },
  { key: 'tlsCert', kind: 'string', help: 'PEM certificate file (enables wss://)', shown: 'none' },
  { key: 'tlsKey', kind: 'string', help: 'PEM private key file', shown: 'none' },
  { key: 'logLevel', kind: 'logLevel', help: logLevels.join('|') },
  { key: 'rtpFastPath', kind: 'boolean', help: 'RTP via our own SRTP/forwarding path (false: werift\'s packet objects)' },
  { key: 'transcoding', kind: 'boolean', help: 'transcode (GStreamer) where a sink takes no codec its source sends; false: an Error event instead' },
  { key: 'mediaWorkers', kind: 'workers', help: 'media worker threads, N or auto (one per core); 0: media in the main thread' },
  { key: 'mediaRoots', kind: 'list', flag: 'media-root', help: 'comma-separated directories recorder/player file URIs must stay in', shown: `the temp directory, ${tmpdir()}` },
  { key: 'httpAllowList', kind: 'list', help: 'comma-separated hosts recorder/player http(s) URIs may use', shown: '(any)' },
  { key: 'httpEndpointPort', kind: 'int', help: 'TCP port HttpPostEndpoints take uploads on', shown: '0 (a free port)' },
  { key: 'metricsPort', kind: 'port', help: 'TCP port of the Prometheus metrics at /metrics', shown: '0 (off)' },
  { key: 'metricsAddress', kind: 'string', help: 'address the metrics listen on' },
  { key: 'dashboard', kind: 'boolean', help: 'serve the live pipeline dashboard at /dashboard on the control port' },
];

/** A configuration problem, reported at start with the option's name. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const flagName = (def: OptionDef): string => def.flag ?? kebab(def.key);
const envName = (def: OptionDef): string => `KURENTO_${flagName(def).replace(/-/g, '_').toUpperCase()}`;
/** The command-line flag of an option, e.g. `--max-endpoints` for maxEndpoints, `--media-root` for mediaRoots. */
export const flagOf = (key: keyof ServerConfig): string => `--${optionTable.find((d) => d.key === key)?.flag ?? kebab(key)}`;

/** A number, or the number a string of digits spells; NaN otherwise. */
const integer = (raw: unknown): number => (typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN);

/** An array as given, or the items of a comma-separated string; null otherwise. */
const listOf = (raw: unknown): unknown[] | null => (Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',').map((s) => s.trim()).filter(Boolean) : null);

/** Where a value came from: a flag or variable names the option itself; a file, by its key. */
type Source = { flag: string } | { env: string } | { file: string };

const describeSource = (source: Source, def: OptionDef): string =>
  'flag' in source ? source.flag : 'env' in source ? `environment ${source.env}` : `config file ${source.file}: ${def.key}`;

function parseValue(def: OptionDef, raw: unknown, source: Source): ServerConfig[keyof ServerConfig] {
  const where = describeSource(source, def);
  switch (def.kind) {
    case 'port':
    case 'int': {
      const n = integer(raw);
      const max = def.kind === 'port' ? 65535 : Number.MAX_SAFE_INTEGER;
      if (!Number.isInteger(n) || n < 0 || n > max) throw new ConfigError(`${where} must be an integer in 0..${max}, got ${JSON.stringify(raw)}`);
      return n;
    }
    case 'addresses': {
      const list = listOf(raw);
      if (!list || !list.every((a): a is string => typeof a === 'string' && isIP(a) !== 0)) {
        throw new ConfigError(`${where} must be a list of IP addresses, got ${JSON.stringify(raw)}`);
      }
      return list;
    }
    case 'logLevel':
      if (typeof raw !== 'string' || !(logLevels as readonly string[]).includes(raw)) {
        throw new ConfigError(`${where} must be one of ${logLevels.join(', ')}, got ${JSON.stringify(raw)}`);
      }
      return raw as LogLevel;
    case 'path':
      if (typeof raw !== 'string' || !raw.startsWith('/')) throw new ConfigError(`${where} must start with /, got ${JSON.stringify(raw)}`);
      return raw;
    case 'string':
      if (typeof raw !== 'string') throw new ConfigError(`${where} must be a string, got ${JSON.stringify(raw)}`);
      return raw;
    case 'workers': {
      if (raw === 'auto') return availableParallelism();
      const n = integer(raw);
      if (!Number.isInteger(n) || n < 0 || n > MAX_MEDIA_WORKERS) throw new ConfigError(`${where} must be auto or an integer in 0..${MAX_MEDIA_WORKERS}, got ${JSON.stringify(raw)}`);
      return n;
    }
    case 'list': {
      const list = listOf(raw);
      if (!list || !list.every((a): a is string => typeof a === 'string' && a !== '')) {
        throw new ConfigError(`${where} must be a comma-separated list or an array of strings, got ${JSON.stringify(raw)}`);
      }
      return list;
    }
    case 'boolean':
      if (raw === true || raw === 'true') return true;
      if (raw === false || raw === 'false') return false;
      throw new ConfigError(`${where} must be true or false, got ${JSON.stringify(raw)}`);
  }
}

function assign(config: ServerConfig, def: OptionDef, raw: unknown, source: Source): void {
  (config as unknown as Record<string, unknown>)[def.key] = parseValue(def, raw, source);
}

function applyFile(config: ServerConfig, file: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(`config file ${file}: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError(`config file ${file}: must hold a JSON object`);
  for (const [key, value] of Object.entries(parsed)) {
    const def = optionTable.find((d) => d.key === key);
    if (!def) throw new ConfigError(`config file ${file}: unknown option ${key}`);
    assign(config, def, value, { file });
  }
}

function parseArgs(argv: readonly string[]): { flags: Map<string, string>; configFile?: string; help: boolean } {
  const flags = new Map<string, string>();
  let configFile: string | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--help' || arg === '-h') { help = true; continue; }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m?.[1]) throw new ConfigError(`unexpected argument ${JSON.stringify(arg)} (try --help)`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new ConfigError(`--${m[1]} needs a value`);
    if (m[1] === 'config') configFile = value;
    else flags.set(m[1], value);
  }
  return { flags, configFile, help };
}

/** A default as --help shows it: in words where its value says nothing, else plainly (lists comma-separated). */
function shownDefault(def: OptionDef): string {
  const value = defaultConfig[def.key];
  return def.shown ?? (Array.isArray(value) ? value.join(',') : String(value));
}

/** The text of `--help`. */
export function usage(): string {
  const lines = optionTable.map((d) => `  --${flagName(d).padEnd(31)} ${envName(d).padEnd(39)} ${d.help}; default: ${shownDefault(d)}`);
  return ['Usage: media-server [--config file.json] [--option value ...]', 'Options (flag, environment variable, meaning):', ...lines].join('\n');
}

/** Builds the configuration from defaults, file, environment and flags, in that order. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): { config: ServerConfig; help: boolean } {
  const config: ServerConfig = { ...defaultConfig, networkInterfaces: [...defaultConfig.networkInterfaces], mediaRoots: [...defaultConfig.mediaRoots], httpAllowList: [...defaultConfig.httpAllowList] };
  const { flags, configFile, help } = parseArgs(argv);
  const file = configFile ?? env['KURENTO_CONFIG'];
  if (file) applyFile(config, file);
  for (const def of optionTable) {
    const value = env[envName(def)];
    if (value !== undefined && value !== '') assign(config, def, value, { env: envName(def) });
  }
  for (const [flag, value] of flags) {
    const def = optionTable.find((d) => flagName(d) === flag);
    if (!def) throw new ConfigError(`unknown option --${flag} (try --help)`);
    assign(config, def, value, { flag: `--${flag}` });
  }
  return { config: validate(config), help };
}

/**
 * Checks relations between options; returns the config unchanged when sound. Its errors name
 * the flags (what the README and --help document), whichever source set the values.
 */
export function validate(config: ServerConfig): ServerConfig {
  const f = flagOf;
  if (config.port === 0 && config.host === '') throw new ConfigError(`${f('host')} must not be empty`);
  if ((config.minPort === 0) !== (config.maxPort === 0)) throw new ConfigError(`${f('minPort')} and ${f('maxPort')} must be set together`);
  if (config.minPort > 0 && config.minPort >= config.maxPort) throw new ConfigError(`${f('minPort')} (${config.minPort}) must be below ${f('maxPort')} (${config.maxPort})`);
  if (config.maxMessageBytes < 1024) throw new ConfigError(`${f('maxMessageBytes')} must be at least 1024`);
  if (Boolean(config.tlsCert) !== Boolean(config.tlsKey)) throw new ConfigError(`${f('tlsCert')} and ${f('tlsKey')} must be set together`);
  if (!Number.isInteger(config.mediaWorkers) || config.mediaWorkers < 0 || config.mediaWorkers > MAX_MEDIA_WORKERS) {
    throw new ConfigError(`${f('mediaWorkers')} must be an integer in 0..${MAX_MEDIA_WORKERS}, got ${JSON.stringify(config.mediaWorkers)}`);
  }
  if (!Number.isInteger(config.httpEndpointPort) || config.httpEndpointPort < 0 || config.httpEndpointPort > 65535) {
    throw new ConfigError(`${f('httpEndpointPort')} must be a port number or 0, got ${JSON.stringify(config.httpEndpointPort)}`);
  }
  if (config.httpEndpointPort !== 0 && config.mediaWorkers > 0) {
    throw new ConfigError(`${f('httpEndpointPort')} must be 0 with ${f('mediaWorkers')}: each worker takes uploads on a free port of its own`);
  }
  if (config.metricsPort !== 0 && config.metricsAddress === '') throw new ConfigError(`${f('metricsAddress')} must not be empty`);
  for (const root of config.mediaRoots) {
    if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new ConfigError(`${f('mediaRoots')}: ${root} is not a directory`);
  }
  return config;
}
