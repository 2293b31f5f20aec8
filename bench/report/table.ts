/** The results as markdown: figures per system and N, ratios ours/Janus, the largest N found. */
import { type BenchResults, LOSS_LIMIT_PERCENT, MIN_ECHOING_FRACTION, MIN_OFFERED_FRACTION, type SearchResult, verdict } from '../benchmark.js';
import type { Measurement } from '../measurement.js';
import { RATIO_FIGURES, ratios } from './ratios.js';

const floors = (results: BenchResults) => ((results.floors ?? []).every((f) => f.native) ? 'native' : 'Node');
const fmt = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const pair = (a: number, b: number, digits = 1) => `${fmt(a, digits)} / ${fmt(b, digits)}`;

function row(m: Measurement): string {
  const echoing = m.echoing === m.n ? `${m.n}` : `**${m.echoing}/${m.n}**`;
  const client = m.clientSkippedPackets > 0 ? `**${fmt(m.clientCpuPercent)} (late)**` : fmt(m.clientCpuPercent);
  const offered = m.expectedPps > 0 ? (100 * m.sentPps) / m.expectedPps : Number.NaN;
  const sent = offered < MIN_OFFERED_FRACTION * 100 ? `**${fmt(offered, 0)}**` : fmt(offered, 0);
  return `| ${m.n} | ${m.system} | ${echoing} | ${fmt(m.serverCpuPercent)} | ${fmt(m.serverCpuPercentPerSession, 2)} | ${fmt(m.cpuMicrosPerPacket)} | ${fmt(m.serverRssMB)} | ${fmt(m.rssPerSessionMB, 2)} | ${pair(m.firstEchoMs.median, m.firstEchoMs.p95, 0)} | ${pair(m.echoLatencyMs.median, m.echoLatencyMs.p95, 2)} | ${m.controlRttMs ? pair(m.controlRttMs.median, m.controlRttMs.p95, 2) : '–'} | ${fmt(m.lossPercent, 2)} | ${m.echoedPps} | ${sent} | ${client} | ${fmt(m.otherOnServerCorePercent, 0)} / ${fmt(m.otherOnClientCorePercent, 0)} | ${fmt(m.machineBusyPercent, 0)} |`;
}

export function measurementsTable(measurements: readonly Measurement[]): string {
  return [
    '| N | system | sessions echoing | server CPU % | CPU % per session | CPU µs per packet | server RSS MB | RSS MB per session | offer → first echo ms (median / p95) | echo latency ms (median / p95) | control request ms (median / p95) | loss % | echoed packets/s | client sent % of target | client CPU % | other work on server / client core % | machine busy % |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...measurements.map(row),
  ].join('\n');
}

/** Where each system's first echo goes: medians of offer → answer, → connected (ICE, DTLS), → first echo; and the server CPU set-up took. */
export function firstEchoPhasesTable(measurements: readonly Measurement[]): string {
  const rows = measurements.flatMap((m) =>
    m.firstEchoPhasesMs
      ? [`| ${m.n} | ${m.system} | ${fmt(m.firstEchoPhasesMs.answer)} | ${fmt(m.firstEchoPhasesMs.connect)} | ${fmt(m.firstEchoPhasesMs.firstEcho)} | ${fmt(m.setupCpuMsPerSession ?? Number.NaN)} |`]
      : [],
  );
  if (rows.length === 0) return '';
  return ['| N | system | offer → answer applied ms | → connected (ICE, DTLS) ms | → first echo ms | server CPU ms per session set up |', '|---:|---|---:|---:|---:|---:|', ...rows].join('\n');
}

export function ratioTable(measurements: readonly Measurement[], ours: string, theirs: string): string {
  const rows = ratios(measurements, ours, theirs);
  if (rows.length === 0) return '';
  return [
    `| N | ${RATIO_FIGURES.map((f) => f.label).join(' | ')} |`,
    `|---:|${RATIO_FIGURES.map(() => '---:').join('|')}|`,
    ...rows.map((r) => `| ${r.n} | ${RATIO_FIGURES.map((f) => `${fmt(r.ratios[f.key] ?? Number.NaN, 2)}×`.replace('–×', '–')).join(' | ')} |`),
  ].join('\n');
}

/** The search's loss limit (runs recorded before it was an option used LOSS_LIMIT_PERCENT). */
const searchLossLimit = (results: BenchResults): number => results.options.search?.lossLimitPercent ?? LOSS_LIMIT_PERCENT;

export function searchTable(results: BenchResults): string {
  if (results.search.length === 0) return '';
  const limit = searchLossLimit(results);
  const ended = (s: SearchResult) =>
    s.limitedBy === 'server' ? `the server failed N=${s.stoppedAt}` : s.limitedBy === 'load client' ? `the load client could not send N=${s.stoppedAt}'s load (capacity is at least the N found)` : s.limitedBy === 'machine' ? `client and server, sharing the cores, could not carry N=${s.stoppedAt}'s load` : `every N up to the limit (${s.stoppedAt}) passed`;
  return [
    `| system | largest N with < ${limit} % loss | search ended because | trials (N: verdict, loss %) |`,
    '|---|---:|---|---|',
    ...results.search.map((s) => `| ${s.system} | ${s.maxN ?? 'none'} | ${ended(s)} | ${s.trials.map((t) => `${t.n}: ${verdict(t, limit)}, ${fmt(t.lossPercent, 2)}`).join('; ') || '–'} |`),
  ].join('\n');
}

/** Each N's floors and every system's CPU per packet as a multiple of the native floor (of the Node one without the addon). */
export function floorTable(results: BenchResults): string {
  const floors = results.floors ?? [];
  if (floors.length === 0) return '';
  const systems = [...new Set(results.measurements.map((m) => m.system))];
  const lines = [
    `| N | packets/s | native floor µs/packet (loss %) | Node floor µs/packet (loss %) | ${systems.map((s) => `${s} ÷ floor`).join(' | ')} |`,
    `|---:|---:|---:|---:|${systems.map(() => '---:').join('|')}|`,
  ];
  for (const f of floors) {
    const base = f.native?.cpuMicrosPerPacket ?? f.node.cpuMicrosPerPacket;
    const multiples = systems.map((s) => {
      const m = results.measurements.find((x) => x.system === s && x.n === f.n);
      return m && base > 0 ? `${fmt(m.cpuMicrosPerPacket / base, 2)}×`.replace('–×', '–') : '–';
    });
    const native = f.native ? `${fmt(f.native.cpuMicrosPerPacket)} (${fmt(f.native.lossPercent, 2)})` : 'not built';
    lines.push(`| ${f.n} | ${f.pps} | ${native} | ${fmt(f.node.cpuMicrosPerPacket)} (${fmt(f.node.lossPercent, 2)}) | ${multiples.join(' | ')} |`);
  }
  return lines.join('\n');
}

/** The whole report, as written to bench/results/bench.md: `ours` against each of `theirs`. */
export function markdownReport(results: BenchResults, ours: string, theirs: readonly string[]): string {
  const t = results.options.traffic;
  const parts = [
    `# Benchmark: ${ours} against ${theirs.join(' and ') || 'nothing'}, N loopback echo sessions`,
    '',
    `${results.date} · ${results.machine.cores} cores (${results.machine.cpuModel}), Linux ${results.machine.kernel}, Node ${results.machine.node} · ` +
      (results.machine.pinned ? `server pinned to core ${results.machine.serverCore}, load client to core ${results.machine.clientCore}` : 'not pinned (too few cores or no taskset)'),
    '',
    `Command: \`${results.command}\``,
    '',
    `Per session: ${t.videoKbps} kbit/s of VP8-like video (${t.fps} fps, ${t.videoPacketBytes}-byte packets) and ${t.audioPps} Opus-like audio packets/s, echoed back. ` +
      `Warm-up ${results.options.warmupSeconds} s, then a ${results.options.windowSeconds} s window; sessions set up ${results.options.setupConcurrency} at a time.`,
    '',
    measurementsTable(results.measurements),
  ];
  for (const other of theirs) {
    const ratio = ratioTable(results.measurements, ours, other);
    if (ratio) parts.push('', `Ratio ${ours} / ${other} (below 1: ${ours} does better):`, '', ratio);
  }
  const phases = firstEchoPhasesTable(results.measurements);
  if (phases) parts.push('', 'The first echo by phase (medians over the sessions of each point; the client applies the answer, then trickles candidates), and the server CPU the set-up of all N sessions took, per session (the media of sessions already up included):', '', phases);
  const floor = floorTable(results);
  if (floor)
    parts.push(
      '',
      `The floor at each N's packet rate (bench/floor: a bare AEAD_AES_128_GCM SRTP echo pinned like the servers, valid tags; native: the addon's recvmmsg/sendmmsg socket and in-place SRTP with JS touching each packet; Node: node:dgram and our TypeScript SrtpContext), and each system's CPU per packet as a multiple of the ${floors(results)} floor:`,
      '',
      floor,
    );
  const search = searchTable(results);
  if (search) parts.push('', `Largest N served: packet loss under ${searchLossLimit(results)} % over the sessions that are up, with at least ${MIN_ECHOING_FRACTION * 100} % of them up (sessions that never connect are counted in the table above, not here); a trial where the client sent less than ${MIN_OFFERED_FRACTION * 100} % of its target rate is client-bound. Window ${results.options.search?.windowSeconds ?? '?'} s per trial.`, '', search);
  return `${parts.join('\n')}\n`;
}
