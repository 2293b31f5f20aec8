/** Shared bits of the processing tests: codecs as SDP negotiates them, process and handle counts, timing. */
import { readdirSync, readFileSync } from 'node:fs';
import type { RtpCodec } from '../../../src/types/media.js';
import type { ProcessingUnit } from '../../../src/processing/index.js';

export const VP8: RtpCodec = { mimeType: 'video/VP8', clockRate: 90000, parameters: {}, payloadType: 96 };
export const VP9: RtpCodec = { mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': '0' }, payloadType: 98 };
export const H264: RtpCodec = { mimeType: 'video/H264', clockRate: 90000, parameters: { 'level-asymmetry-allowed': '1', 'packetization-mode': '1', 'profile-level-id': '42e01f' }, payloadType: 102 };
export const H264_MODE0: RtpCodec = { ...H264, parameters: { ...H264.parameters, 'packetization-mode': '0' }, payloadType: 104 };
export const OPUS: RtpCodec = { mimeType: 'audio/opus', clockRate: 48000, channels: 2, parameters: { minptime: '10', useinbandfec: '1' }, payloadType: 111 };
export const AAC: RtpCodec = { mimeType: 'audio/mpeg4-generic', clockRate: 48000, channels: 2, parameters: {}, payloadType: 100 };

/** Pids of this process's living media children (units' helpers, gst-launch), from /proc; tsx's esbuild service is not one. */
export function childPids(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== process.pid || fields[0] === 'Z') continue;
      const command = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (/gst_unit\.py|gst-launch/.test(command)) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Whether a process exists (not a zombie). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The kinds of libuv handle this process holds (pipes, processes, timers...), counted. */
export function handleCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

/** Records when packets arrived, to find the longest pause. */
export class ArrivalClock {
  protected readonly times: number[] = [];

  /** A packet arrived now. */
  tick(): void {
    this.times.push(performance.now());
  }

  get count(): number {
    return this.times.length;
  }

  /** The longest gap between two output packets after `from` (performance.now() ms). */
  longestGapAfter(from: number): number {
    let longest = 0;
    for (let i = 1; i < this.times.length; i++) {
      const t = this.times[i] ?? 0;
      if (t < from) continue;
      longest = Math.max(longest, t - (this.times[i - 1] ?? t));
    }
    return longest;
  }

}

/** An ArrivalClock of a unit's output packets. */
export class OutputClock extends ArrivalClock {
  private readonly remove: () => void;

  constructor(unit: ProcessingUnit) {
    super();
    this.remove = unit.packets.add(() => this.tick());
  }

  stop(): void {
    this.remove();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
