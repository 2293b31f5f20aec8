/**
 * The two benches beside the echo sessions that `npm run bench` also runs, each in a child
 * process of its own (they pin their own cores and must not share a process with the load
 * client): the recorder (bench/recorder.ts: concurrent WebM recordings, ours beside a GStreamer
 * pipeline and ffmpeg) and processing (bench/processing.ts: a filter and a transcode, ours beside
 * gst-launch-1.0). Each gives a markdown section for bench.md, kept in bench.json too.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export interface ReportSection {
  readonly title: string;
  readonly markdown: string;
}

interface ProcessingRow {
  readonly workload: string;
  readonly gstLaunchMsPerFrame: number;
  readonly oursMsPerFrame: number;
  readonly unitProcessMsPerFrame: number;
  readonly nodeMsPerFrame: number;
  readonly udpFeedMsPerFrame: number;
  readonly ratio: number;
  readonly ratioWithUdpFeed: number;
}

function runChild(root: string, script: string, args: readonly string[], line: (text: string) => void): string {
  line(`bench: ${script} ${args.join(' ')}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', join(root, script), ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 * 2 ** 20 });
  if (run.status !== 0) throw new Error(`${script} failed (exit ${run.status ?? run.signal})`);
  return run.stdout;
}

/** The recorder point: its final table (the lines after the last blank line). */
export function recorderSection(root: string, counts: string, seconds: number, line: (text: string) => void): ReportSection {
  const out = runChild(root, 'bench/recorder.ts', ['--n', counts, '--seconds', String(seconds)], line);
  const table = out.trimEnd().split('\n\n').pop() ?? '';
  const capture = out.split('\n').find((l) => l.startsWith('capture:')) ?? '';
  return {
    title: 'Recording',
    markdown: [
      `N concurrent recordings of the same RTP (VP8 + Opus, ${capture.replace(/^capture: /, '')}) into WebM: our RecordingSink, one GStreamer \`udpsrc ! rtpjitterbuffer ! depay ! webmmux ! filesink\` process for all, one ffmpeg (\`-c copy\`) per recording; each recorder pinned to the server core (bench/recorder.ts).`,
      '',
      table,
    ].join('\n'),
  };
}

/** The processing point: CPU per frame of our unit beside the same pipeline run by gst-launch-1.0. */
export function processingSection(root: string, seconds: number, line: (text: string) => void): ReportSection {
  const out = runChild(root, 'bench/processing.ts', ['--seconds', String(seconds), '--json'], line);
  const { rows } = JSON.parse(out.trim().split('\n').pop() ?? '{}') as { rows: ProcessingRow[] };
  const ms = (v: number) => v.toFixed(2);
  return {
    title: 'Processing',
    markdown: [
      'One 640×480 30 fps VP8 stream through our processing unit and through the same GStreamer pipeline run alone by gst-launch-1.0, CPU ms per frame (bench/processing.ts). Ours = the unit process + what feeding it costs our Node process; the ratio is ours over gst-launch alone (goal ≤ 1.1), and over gst-launch plus what feeding it by UDP would cost Node.',
      '',
      '| workload | gst-launch ms/frame | ours ms/frame (unit + Node) | ratio | ratio with the UDP feed |',
      '|---|---:|---:|---:|---:|',
      ...rows.map((r) => `| ${r.workload} | ${ms(r.gstLaunchMsPerFrame)} | ${ms(r.oursMsPerFrame)} (${ms(r.unitProcessMsPerFrame)} + ${ms(r.nodeMsPerFrame)}) | ${r.ratio.toFixed(2)} | ${r.ratioWithUdpFeed.toFixed(2)} |`),
    ].join('\n'),
  };
}
