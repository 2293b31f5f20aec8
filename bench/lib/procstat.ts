/**
 * CPU time and resident memory of a process, read from /proc. Linux counts CPU in clock ticks of
 * USER_HZ; every thread of a process is included in /proc/<pid>/stat, so a multi-threaded server
 * (Janus, or Node with its helper threads) is measured whole.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: ticks per second in /proc/<pid>/stat (100 almost everywhere; asked, not assumed). */
export const CLOCK_TICKS = readClockTicks();

function readClockTicks(): number {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return value > 0 ? value : 100;
  } catch {
    return 100;
  }
}

/** User plus system CPU seconds a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: fields start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name, field 3 (state) is index 0, so utime (14) and stime (15) are 11 and 12.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** Resident set size in bytes. */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

/**
 * Seconds the process's threads have spent runnable but waiting for a core (scheduler run
 * delay, /proc/<pid>/task/<tid>/schedstat). High values mean other work on the machine took the
 * core from it: its latency figures then measure the machine, not the server.
 */
export function runDelaySeconds(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1] ?? 0);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return ns / 1e9;
}

/** Busy and total ticks of the whole machine, for how loaded it was while we measured. */
export function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/** CPU use of some processes over a window, as a percentage of one core (100 = one core busy). */
export class CpuWindow {
  private readonly startCpu: number[];
  private readonly startWait: number[];
  private readonly startMachine = machineTicks();
  private readonly startedAt = performance.now();

  constructor(private readonly pids: readonly number[]) {
    this.startCpu = pids.map(cpuSeconds);
    this.startWait = pids.map(runDelaySeconds);
  }

  /**
   * Ends the window: per pid (same order) the CPU used and the time spent waiting for a core,
   * both in percent of the window; the machine's busy percent (all cores); the seconds.
   */
  finish(): { cpuPercent: number[]; waitPercent: number[]; machineBusyPercent: number; seconds: number } {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const cpuPercent = this.pids.map((pid, i) => ((cpuSeconds(pid) - (this.startCpu[i] ?? 0)) / seconds) * 100);
    const waitPercent = this.pids.map((pid, i) => ((runDelaySeconds(pid) - (this.startWait[i] ?? 0)) / seconds) * 100);
    const end = machineTicks();
    const busy = end.busy - this.startMachine.busy;
    const total = end.total - this.startMachine.total;
    return { cpuPercent, waitPercent, machineBusyPercent: total > 0 ? (busy / total) * 100 : 0, seconds };
  }
}
