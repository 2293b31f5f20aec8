/**
 * What the machine allows this process, and the budgets derived from it. Node has no API for
 * RLIMIT_NOFILE, so it is read from /proc/self/limits (Node has already raised the soft limit to
 * the hard one when it started); memory is the cgroup's limit when there is one, else the total.
 */
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import type { ServerConfig } from './config.js';

/** The limits the budgets are derived from. */
export interface MachineFacts {
  /** RLIMIT_NOFILE as this process sees it (the soft limit). */
  openFilesLimit: number;
  /** Memory this process may use, in bytes. */
  memoryBytes: number;
}

/** What is assumed where /proc cannot be read (the usual soft limit). */
const FALLBACK_OPEN_FILES = 1024;

/** The soft "Max open files" of /proc/self/limits. */
export function openFilesLimit(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
    if (soft === 'unlimited') return Number.MAX_SAFE_INTEGER;
    const n = Number(soft);
    return Number.isInteger(n) && n > 0 ? n : FALLBACK_OPEN_FILES;
  } catch {
    return FALLBACK_OPEN_FILES;
  }
}

/** The machine's limits, read once. */
export function machineFacts(): MachineFacts {
  const constrained = process.constrainedMemory?.() ?? 0;
  const total = totalmem();
  return { openFilesLimit: openFilesLimit(), memoryBytes: constrained > 0 ? Math.min(constrained, total) : total };
}

/** Descriptors kept out of every budget: the process itself, workers, logs, files, child processes. */
export const RESERVED_DESCRIPTORS = 256;
/** Share of the other descriptors for control sessions (one WebSocket each). */
const SESSION_SHARE = 0.1;
/** Share of the other descriptors for media sockets; the last 10 % stay free as headroom. */
const UDP_SHARE = 0.8;
/** Share of memory the endpoints may take. */
const ENDPOINT_MEMORY_SHARE = 0.5;
/**
 * Memory of one endpoint with live media: 0.6–0.96 MB RSS measured per connected session
 * (docs/performance.md), rounded up. An idle one after generateOffer measured 110–145 KB.
 */
export const ENDPOINT_BYTES = 1024 * 1024;
/** Media objects of every kind allowed per endpoint (a PassThrough measured 9 KB). */
const OBJECTS_PER_ENDPOINT = 4;

/** A warning when the configured sockets and sessions could exhaust the descriptors (the budgets were raised past them). */
export function descriptorWarning(budgets: Pick<BudgetDefaults, 'maxSessions' | 'maxUdpSockets'>, { openFilesLimit: files }: MachineFacts): string | undefined {
  const { maxSessions, maxUdpSockets } = budgets;
  const unbounded = maxSessions === 0 || maxUdpSockets === 0;
  if (!unbounded && maxSessions + maxUdpSockets + RESERVED_DESCRIPTORS <= files) return undefined;
  const what = unbounded ? 'with no limit on sessions or media sockets' : `${maxUdpSockets} media sockets and ${maxSessions} sessions (and ${RESERVED_DESCRIPTORS} for the process)`;
  return `${what}, the server can run out of its ${files} file descriptors (RLIMIT_NOFILE): every new socket would then fail, a legitimate caller's too. Lower --max-udp-sockets/--max-sessions or raise the limit (ulimit -n).`;
}

/** The server-wide and per-client budgets, as configuration options. */
export type BudgetDefaults = Pick<ServerConfig, 'maxSessions' | 'maxPipelines' | 'maxEndpoints' | 'maxObjects' | 'maxUdpSockets' | 'maxSessionsPerClient' | 'maxObjectsPerClient'>;

/**
 * Safe defaults for a machine: media sockets and sessions within the descriptor limit with 10 %
 * of it (and RESERVED_DESCRIPTORS) to spare, endpoints within half the memory, and one client
 * (one address, or one token) at most half of what the server holds.
 */
export function derivedBudgets({ openFilesLimit: files, memoryBytes }: MachineFacts): BudgetDefaults {
  const descriptors = Math.max(files - RESERVED_DESCRIPTORS, 64);
  const maxSessions = Math.max(Math.floor(descriptors * SESSION_SHARE), 4);
  const maxUdpSockets = Math.max(Math.floor(descriptors * UDP_SHARE), 16);
  const maxEndpoints = Math.max(Math.min(maxUdpSockets, Math.floor((memoryBytes * ENDPOINT_MEMORY_SHARE) / ENDPOINT_BYTES)), 1);
  return {
    maxSessions,
    maxPipelines: maxEndpoints,
    maxEndpoints,
    maxObjects: maxEndpoints * OBJECTS_PER_ENDPOINT,
    maxUdpSockets,
    maxSessionsPerClient: Math.ceil(maxSessions / 2),
    maxObjectsPerClient: Math.ceil(maxEndpoints / 2),
  };
}
