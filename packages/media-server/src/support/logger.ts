/** A small namespaced logger: one line per record, level chosen once at start. */

/** Log levels in increasing verbosity. */
export const logLevels = ['silent', 'error', 'warn', 'info', 'debug'] as const;
/** A log level. */
export type LogLevel = (typeof logLevels)[number];

let threshold = logLevels.indexOf('info');

/** Sets the process-wide log level. */
export function setLogLevel(level: LogLevel): void {
  threshold = logLevels.indexOf(level);
}

/** A logger bound to a namespace such as `kms:WebRtcEndpoint`. */
export interface Logger {
  error(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  debug(message: string, ...details: unknown[]): void;
  /** Whether debug records are written (to skip building costly messages). */
  readonly debugEnabled: boolean;
}

function write(level: LogLevel, namespace: string, message: string, details: unknown[]): void {
  if (logLevels.indexOf(level) > threshold) return;
  const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${namespace}] ${message}`;
  const rest = details.map((d) => (d instanceof Error ? (d.stack ?? d.message) : typeof d === 'string' ? d : JSON.stringify(d)));
  (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write([line, ...rest].join(' ') + '\n');
}

/** Creates a logger for a namespace. */
export function createLogger(namespace: string): Logger {
  return {
    error: (m, ...d) => write('error', namespace, m, d),
    warn: (m, ...d) => write('warn', namespace, m, d),
    info: (m, ...d) => write('info', namespace, m, d),
    debug: (m, ...d) => write('debug', namespace, m, d),
    get debugEnabled() {
      return threshold >= logLevels.indexOf('debug');
    },
  };
}
