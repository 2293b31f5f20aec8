/**
 * `npm run bench`: N concurrent Hello World loopback sessions against our media server, Janus's
 * EchoTest and a Pion echo, in the same run, with node-datachannel load clients. Writes
 * bench.json, bench.md and bench.svg to the output folder and prints the markdown.
 *
 *   npm run bench -- [--n 1,10,50,100,200] [--seconds 20] [--warmup 5] [--no-search] [--out DIR] ...
 *   npm run bench -- --help
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cleanup } from 'node-datachannel';
import { type BenchOptions, type BenchResults, runBenchmark, verdict } from './benchmark.js';
import { DEFAULT_TRAFFIC } from './clients/trafficScheduler.js';
import { canPin, pinSelf } from './lib/cpuPinning.js';
import { Progress } from './lib/progress.js';
import { ServerProcess } from './lib/serverProcess.js';
import { markdownReport } from './report/table.js';
import { processingSection, recorderSection, type ReportSection } from './sideBenches.js';
import { plotSvg } from './report/svg.js';
import { janus } from './targets/janus.js';
import { ensureJanus } from './targets/janusSetup.js';
import { kurentoTs, kurentoTsFallback, kurentoTsNoLanes } from './targets/kurentoTs.js';
import { ensurePion, pion } from './targets/pion.js';
import type { Target } from './targets/target.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TARGETS: Record<string, Target> = { [kurentoTs.name]: kurentoTs, [kurentoTsNoLanes.name]: kurentoTsNoLanes, [kurentoTsFallback.name]: kurentoTsFallback, [janus.name]: janus, [pion.name]: pion };

const USAGE = `npm run bench -- [options]
  --systems LIST        systems to measure (default kurento-ts,kurento-ts-fallback,janus,pion;
                        kurento-ts is the native media path, kurento-ts-no-lanes the same
                        without forwarding lanes (KURENTO_LANES=0), kurento-ts-fallback KURENTO_NATIVE=0)
  --n LIST              session counts (default 1,10,50,100,200)
  --seconds S           measurement window per point (default 20)
  --warmup S            traffic before the window opens (default 5)
  --no-search           skip the search for the largest N with < 1 % loss
  --no-floor            skip the floors (a bare SRTP echo in Node and with the native addon) at each N
  --search-max N        largest N the search tries (default 400)
  --search-seconds S    window of each search trial (default 10)
  --search-loss P       a search trial passes below P % packet loss (default 1)
  --concurrency C       sessions set up at the same time (default 10)
  --connect-timeout S   per-session connection timeout (default 15)
  --server-core C       core for the server (default 1)
  --client-core C       core for this load client (default 0)
  --video-kbps K        video bit rate per session (default ${DEFAULT_TRAFFIC.videoKbps})
  --media-workers N     our server's media worker threads (default 0: media in its main thread)
  --load-client K       ndc (node-datachannel, default) or native (werift ICE/DTLS, media through
                        @kurento-ts/native's sockets and SRTP: cheaper per packet)
  --no-recorder         skip the recorder point (bench/recorder.ts)
  --recorder-n LIST     concurrent recordings (default 1,10,50)
  --no-processing       skip the processing point (bench/processing.ts)
  --out DIR             output folder (default bench/results)
  --from FILE           measure nothing: re-render the reports from a bench.json
  --quiet               no progress lines`;

function numbers(text: string, flag: string): number[] {
  const values = text.split(',').map((s) => Number(s.trim()));
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < 1)) throw new Error(`${flag}: expected positive integers separated by commas, got "${text}"`);
  return values;
}

function fail(message: string): never {
  throw new Error(message);
}

function positive(text: string, flag: string): number {
  const v = Number(text);
  if (!(v > 0)) throw new Error(`${flag}: expected a positive number, got "${text}"`);
  return v;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const { values } = parseArgs({
    args: argv,
    options: {
      systems: { type: 'string', default: 'kurento-ts,kurento-ts-fallback,janus,pion' },
      n: { type: 'string', default: '1,10,50,100,200' },
      seconds: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '5' },
      'no-search': { type: 'boolean', default: false },
      'no-floor': { type: 'boolean', default: false },
      'search-max': { type: 'string', default: '400' },
      'search-seconds': { type: 'string', default: '10' },
      'search-loss': { type: 'string', default: '1' },
      concurrency: { type: 'string', default: '10' },
      'connect-timeout': { type: 'string', default: '15' },
      'server-core': { type: 'string', default: '1' },
      'client-core': { type: 'string', default: '0' },
      'video-kbps': { type: 'string', default: String(DEFAULT_TRAFFIC.videoKbps) },
      'media-workers': { type: 'string', default: '0' },
      'load-client': { type: 'string', default: 'ndc' },
      'no-recorder': { type: 'boolean', default: false },
      'recorder-n': { type: 'string', default: '1,10,50' },
      'no-processing': { type: 'boolean', default: false },
      out: { type: 'string', default: join(ROOT, 'bench/results') },
      from: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const targets = values.systems.split(',').map((name) => {
    const t = TARGETS[name.trim()];
    if (!t) throw new Error(`--systems: unknown system "${name}" (known: ${Object.keys(TARGETS).join(', ')})`);
    return t;
  });
  const progress = new Progress(values.quiet);
  if (values.from !== undefined) {
    writeReports(JSON.parse(readFileSync(values.from, 'utf8')) as BenchResults, values.out, progress);
    return;
  }
  if (targets.includes(janus)) ensureJanus((line) => progress.line(line));
  if (targets.includes(pion)) ensurePion((line) => progress.line(line));

  const serverCore = Number(values['server-core']);
  const clientCore = Number(values['client-core']);
  const pinned = canPin(serverCore) && serverCore !== clientCore && pinSelf(clientCore);
  if (!pinned) progress.line('warning: client and server not pinned to separate cores (fewer than 2 cores, or no taskset): server figures include interference');
  const options: BenchOptions = {
    ns: numbers(values.n, '--n'),
    warmupSeconds: positive(values.warmup, '--warmup'),
    windowSeconds: positive(values.seconds, '--seconds'),
    setupConcurrency: positive(values.concurrency, '--concurrency'),
    connectTimeoutMs: positive(values['connect-timeout'], '--connect-timeout') * 1000,
    traffic: { ...DEFAULT_TRAFFIC, videoKbps: positive(values['video-kbps'], '--video-kbps') },
    serverCore: pinned ? serverCore : undefined,
    clientCore: pinned ? clientCore : undefined,
    pinned,
    root: ROOT,
    mediaWorkers: Number.isInteger(Number(values['media-workers'])) && Number(values['media-workers']) >= 0 ? Number(values['media-workers']) : fail(`--media-workers: expected a whole number, got "${values['media-workers']}"`),
    floor: !values['no-floor'],
    loadClient: values['load-client'] === 'native' || values['load-client'] === 'ndc' ? values['load-client'] : fail(`--load-client: expected ndc or native, got "${values['load-client']}"`),
    search: values['no-search'] ? undefined : { maxN: positive(values['search-max'], '--search-max'), windowSeconds: positive(values['search-seconds'], '--search-seconds'), resolution: 0.1, lossLimitPercent: positive(values['search-loss'], '--search-loss') },
    command: `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`,
  };

  const results: BenchResults = await runBenchmark(targets, options, progress);
  const line = (text: string) => progress.line(text);
  const sections: ReportSection[] = [];
  if (!values['no-recorder']) sections.push(recorderSection(ROOT, numbers(values['recorder-n'], '--recorder-n').join(','), Math.min(options.windowSeconds, 10), line));
  if (!values['no-processing']) sections.push(processingSection(ROOT, Math.min(options.windowSeconds, 10), line));
  writeReports({ ...results, sections }, values.out, progress);
}

/** bench.json, bench.md and bench.svg in `out`; the markdown also on stdout. */
function writeReports(results: BenchResults, out: string, progress: Progress): void {
  const systems = [...new Set(results.measurements.map((m) => m.system))];
  const [ours = kurentoTs.name, ...theirs] = systems;
  const markdown = markdownReport(results, ours, theirs) + (results.sections ?? []).map((s) => `\n## ${s.title}\n\n${s.markdown}\n`).join('');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'bench.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(out, 'bench.md'), markdown);
  writeFileSync(join(out, 'bench.svg'), plotSvg(results.measurements, `${systems.join(' vs ')} · ${results.machine.cores} cores · ${results.date.slice(0, 10)}`, (m) => verdict(m, results.options.search?.lossLimitPercent) === 'pass'));
  process.stdout.write(markdown);
  progress.line(`results written to ${out}/bench.{json,md,svg}`);
}

// Ctrl-C or a test's timeout must not leave a pinned Janus or media server running.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    ServerProcess.killAll();
    process.stderr.write(`bench: ${signal}, servers stopped\n`);
    process.exit(130);
  });
}

try {
  await main();
  cleanup();
  process.exit(0);
} catch (e) {
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  cleanup();
  process.exit(1);
}
