/**
 * Client and server on different cores (`taskset`), so that the server's CPU figures are its own
 * and the load client cannot steal its time. Where the machine has fewer cores than asked, or no
 * taskset, nothing is pinned and the caller is told so.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';

const TASKSET = ['/usr/bin/taskset', '/bin/taskset'].find((p) => existsSync(p));

/**
 * The machine's cores. Not availableParallelism(): that follows this process's affinity, which
 * is one core once we have pinned ourselves, and the server must still go to another.
 */
export const MACHINE_CORES = cpus().length;

/** Whether `core` can be pinned to on this machine. */
export function canPin(core: number | undefined): core is number {
  return core !== undefined && TASKSET !== undefined && Number.isInteger(core) && core >= 0 && core < MACHINE_CORES;
}

/** The command line that runs `command` on `core` (or unpinned when that is impossible). */
export function pinnedCommand(core: number | undefined, command: string, args: readonly string[]): { command: string; args: string[] } {
  if (!canPin(core) || TASKSET === undefined) return { command, args: [...args] };
  return { command: TASKSET, args: ['-c', String(core), command, ...args] };
}

/** Pins this process, all its threads included, to `core`; false when that is impossible. */
export function pinSelf(core: number | undefined): boolean {
  return pinProcess(process.pid, core);
}

/** Pins a running process, all its threads included, to `core`; false when that is impossible. */
export function pinProcess(pid: number, core: number | undefined): boolean {
  if (!canPin(core) || TASKSET === undefined) return false;
  // -a: every existing thread (libuv's pool, node-datachannel's); new ones inherit from them.
  execFileSync(TASKSET, ['-a', '-cp', String(core), String(pid)], { stdio: 'ignore' });
  return true;
}
