/**
 * The renderer processes of one Chromium started by a test (told apart from other browsers by
 * its profile directory), to freeze a page whole, its WebRTC stack included, as a machine that
 * stops answering would: SIGSTOP, then SIGCONT. Only processes of that browser are signalled.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Pids of the renderers whose command line names `userDataDir`. */
export function rendererPids(userDataDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      // Chromium rewrites its children's titles into one space-separated string.
      args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split(/[\0 ]/);
    } catch {
      continue; // gone meanwhile
    }
    if (args.includes('--type=renderer') && args.includes(`--user-data-dir=${userDataDir}`)) pids.push(Number(entry));
  }
  return pids;
}

/** Sends `signal` to each pid (ignoring ones that exited). */
export function signalAll(pids: readonly number[], signal: 'SIGSTOP' | 'SIGCONT'): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // exited
    }
  }
}
