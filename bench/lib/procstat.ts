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

/**
 * CPU seconds the live threads of a process have run, in nanoseconds' resolution
 * (/proc/<pid>/task/<tid>/schedstat): for short windows where clock ticks are too coarse.
 * Threads that already exited are not in it, so use it for processes whose threads live on.
 */
export function runSeconds(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended while we read
    }
  }
  return ns / 1e9;
}

/** Resident set size in bytes. */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

/** Busy and total ticks of the whole machine (`cpu` line of /proc/stat) or of one core (`cpuN`). */
export function machineTicks(core?: number): { busy: number; total: number } {
  const name = core === undefined ? 'cpu' : `cpu${core}`;
  const line = readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name} `));
  const values = (line ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

const busyPercent = (a: { busy: number; total: number }, b: { busy: number; total: number }) => (b.total > a.total ? ((b.busy - a.busy) / (b.total - a.total)) * 100 : 0);

/**
 * CPU use of processes over a window, as a percentage of one core (100 = one core busy), and
 * how busy each process's own core was with other work: on a shared machine that is the
 * interference its figures carry.
 */
export class CpuWindow {
  private readonly startCpu: number[];
  private readonly startCores: { busy: number; total: number }[];
  private readonly startMachine = machineTicks();
  private readonly startedAt = performance.now();

  /** `cores[i]`: the core `pids[i]` is pinned to, if it is. */
  constructor(
    private readonly pids: readonly number[],
    private readonly cores: readonly (number | undefined)[],
  ) {
    this.startCpu = pids.map(cpuSeconds);
    this.startCores = cores.map((c) => (c === undefined ? { busy: 0, total: 0 } : machineTicks(c)));
  }

  /**
   * Ends the window: per pid (same order) its CPU percent and the percent of its core that other
   * work used (NaN when not pinned); the machine's busy percent (all cores); the seconds.
   */
  finish(): { cpuPercent: number[]; otherOnCorePercent: number[]; machineBusyPercent: number; seconds: number } {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const cpuPercent = this.pids.map((pid, i) => ((cpuSeconds(pid) - (this.startCpu[i] ?? 0)) / seconds) * 100);
    const otherOnCorePercent = this.cores.map((core, i) => {
      const start = this.startCores[i];
      if (core === undefined || start === undefined) return Number.NaN;
      return Math.max(0, busyPercent(start, machineTicks(core)) - (cpuPercent[i] ?? 0));
    });
    return { cpuPercent, otherOnCorePercent, machineBusyPercent: busyPercent(this.startMachine, machineTicks()), seconds };
  }
}
