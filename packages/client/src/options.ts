/** Client options and their defaults. */
import type { ReconnectPolicy } from './rpc/ReconnectingSocket.js';

export interface KurentoClientOptions {
  /** How long a request may wait for its answer, in ms (default 20 000). */
  requestTimeoutMs?: number;
  /** How long opening a socket may take, in ms (default 10 000). */
  connectTimeoutMs?: number;
  /** Keep-alive `ping` period, in ms (default 5000, as the official client; 0: no pings). Two unanswered periods drop the socket. */
  pingIntervalMs?: number;
  /** Reconnection after a drop: backoff settings, or false to treat a drop as the end. */
  reconnect?: Partial<ReconnectPolicy> | false;
  /** Sent as the `access_token` query parameter, as the official client does. */
  accessToken?: string;
}

export interface ResolvedOptions {
  readonly requestTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly pingIntervalMs: number;
  readonly reconnect: ReconnectPolicy | false;
}

export const defaultReconnectPolicy: ReconnectPolicy = { initialDelayMs: 100, maxDelayMs: 5000, factor: 2, maxAttempts: Infinity };

export function resolveOptions(options: KurentoClientOptions): ResolvedOptions {
  const positive = (name: string, v: number | undefined, fallback: number, zeroOk = false): number => {
    if (v === undefined) return fallback;
    if (!Number.isFinite(v) || v < 0 || (v === 0 && !zeroOk)) throw new RangeError(`${name} must be a positive number of ms, got ${v}`);
    return v;
  };
  return {
    requestTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs, 20_000),
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs, 10_000),
    pingIntervalMs: positive('pingIntervalMs', options.pingIntervalMs, 5000, true),
    reconnect: options.reconnect === false ? false : { ...defaultReconnectPolicy, ...options.reconnect },
  };
}

/** The URL to open: the access token goes in the query. */
export function socketUrl(url: string, accessToken: string | undefined): string {
  if (accessToken === undefined) return url;
  const u = new URL(url);
  u.searchParams.set('access_token', accessToken);
  return u.toString();
}
