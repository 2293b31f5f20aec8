/** What the process holds, counted the way the leak and budget tests compare it: after garbage collection. */
import { readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { openUdpSockets } from '@kurento-ts/test-utils';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Memory, descriptors, UDP sockets (node:dgram's and the native addon's) and timers of this process. */
export interface ProcessResources {
  heapMb: number;
  rssMb: number;
  fds: number;
  udpSockets: number;
  timers: number;
}

/** Counts after three collections, 50 ms apart (closed handles leave the list in between). */
export async function processResources(): Promise<ProcessResources> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
  }
  const active = process.getActiveResourcesInfo();
  const memory = process.memoryUsage();
  return {
    heapMb: memory.heapUsed / 2 ** 20,
    rssMb: memory.rss / 2 ** 20,
    fds: readdirSync('/proc/self/fd').length,
    // From the kernel's tables: node:dgram's and the native addon's sockets alike.
    udpSockets: openUdpSockets().length,
    timers: active.filter((r) => r === 'Timeout').length,
  };
}

/** One line for a test's diagnostics. */
export const describeResources = (r: ProcessResources): string =>
  `heap ${r.heapMb.toFixed(1)} MB, RSS ${r.rssMb.toFixed(1)} MB, ${r.fds} fds, ${r.udpSockets} UDP sockets, ${r.timers} timers`;
