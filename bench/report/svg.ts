/**
 * The plot docs/performance.md shows: server CPU per session and echo latency against N, one
 * line per system. Hand-written SVG (a few axes and polylines need no plotting library). N is on
 * a log axis because the list spans 1 to hundreds; latency too, because saturation multiplies it.
 */
import type { Measurement } from '../measurement.js';

interface Series {
  name: string;
  color: string;
  dashed: boolean;
  /** x, y, and whether the point was served (loss under 1 %, sessions up): others are drawn hollow. */
  points: [number, number, boolean][];
}

interface Panel {
  left: number;
  top: number;
  width: number;
  height: number;
  title: string;
  yLabel: string;
  logY: boolean;
  series: Series[];
}

const COLORS: Record<string, string> = { 'kurento-ts': '#d1495b', 'kurento-ts-fallback': '#e88a96', janus: '#00798c' };
const FALLBACK = ['#edae49', '#30638e', '#66a182'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (x: number) => Number(x.toFixed(1));

/** The 1-2-5 value at or below `v` (`down`) or at or above it. */
function round125(v: number, down: boolean): number {
  const e = Math.floor(Math.log10(v));
  const candidates = [-1, 0, 1].flatMap((d) => [1, 2, 5].map((m) => m * 10 ** (e + d)));
  return down ? Math.max(...candidates.filter((c) => c <= v * 1.0001)) : Math.min(...candidates.filter((c) => c >= v * 0.9999));
}

/** 1-2-5 ticks covering [lo, hi] on a log axis. */
function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo * 0.999 && v <= hi * 1.001) ticks.push(v);
    }
  }
  return ticks;
}

/** About five round ticks from 0 to at least `hi`. */
function linearTicks(hi: number): number[] {
  const raw = hi / 5;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  return Array.from({ length: Math.ceil(hi / step) + 1 }, (_, i) => Number((i * step).toPrecision(6)));
}

const label = (v: number) => (v >= 1000 ? `${v / 1000}k` : String(Number(v.toPrecision(3))));

function drawPanel(p: Panel): string {
  const pts = p.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && x > 0 && (!p.logY || y > 0));
  if (pts.length === 0) return '';
  const xs = pts.map(([x]) => x);
  const ys = pts.map(([, y]) => y);
  const xLo = round125(Math.min(...xs), true);
  const xHi = round125(Math.max(...xs), false);
  const xTicks = logTicks(xLo, xHi);
  const yTicks = p.logY ? logTicks(round125(Math.min(...ys), true), round125(Math.max(...ys), false)) : linearTicks(Math.max(...ys) * 1.05);
  const yLo = p.logY ? (yTicks[0] ?? 1) : 0;
  const yHi = yTicks[yTicks.length - 1] ?? 1;
  const px = (x: number) => p.left + ((Math.log10(x) - Math.log10(xLo)) / (Math.log10(xHi) - Math.log10(xLo))) * p.width;
  const py = p.logY
    ? (y: number) => p.top + p.height - ((Math.log10(y) - Math.log10(yLo)) / (Math.log10(yHi) - Math.log10(yLo))) * p.height
    : (y: number) => p.top + p.height - ((y - yLo) / (yHi - yLo)) * p.height;
  const out: string[] = [];
  out.push(`<text x="${p.left + p.width / 2}" y="${p.top - 14}" text-anchor="middle" font-weight="bold">${esc(p.title)}</text>`);
  for (const t of yTicks) {
    const y = num(py(t));
    out.push(`<line x1="${p.left}" y1="${y}" x2="${p.left + p.width}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${p.left - 6}" y="${y + 4}" text-anchor="end">${label(t)}</text>`);
  }
  for (const t of xTicks) {
    const x = num(px(t));
    out.push(`<line x1="${x}" y1="${p.top}" x2="${x}" y2="${p.top + p.height}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${x}" y="${p.top + p.height + 16}" text-anchor="middle">${label(t)}</text>`);
  }
  out.push(`<rect x="${p.left}" y="${p.top}" width="${p.width}" height="${p.height}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${p.left + p.width / 2}" y="${p.top + p.height + 34}" text-anchor="middle">N (concurrent sessions)</text>`);
  out.push(`<text transform="translate(${p.left - 44},${p.top + p.height / 2}) rotate(-90)" text-anchor="middle">${esc(p.yLabel)}</text>`);
  for (const s of p.series) {
    const valid = s.points.filter(([x, y]) => Number.isFinite(y) && x > 0 && (!p.logY || y > 0)).sort((a, b) => a[0] - b[0]);
    if (valid.length === 0) continue;
    const line = valid.map(([x, y]) => `${num(px(x))},${num(py(y))}`).join(' ');
    out.push(`<polyline points="${line}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    for (const [x, y, ok] of valid) out.push(`<circle cx="${num(px(x))}" cy="${num(py(y))}" r="3.5" ${ok ? `fill="${s.color}"` : `fill="#fff" stroke="${s.color}" stroke-width="1.5"`}/>`);
  }
  p.series.forEach((s, i) => {
    const y = p.top + 14 + i * 16;
    const x = p.left + 10;
    out.push(`<line x1="${x}" y1="${y - 4}" x2="${x + 22}" y2="${y - 4}" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    out.push(`<text x="${x + 28}" y="${y}">${esc(s.name)}</text>`);
  });
  return out.join('\n');
}

export function plotSvg(measurements: readonly Measurement[], subtitle: string, served: (m: Measurement) => boolean): string {
  const systems = [...new Set(measurements.map((m) => m.system))];
  const color = (s: string, i: number) => COLORS[s] ?? FALLBACK[i % FALLBACK.length] ?? '#000';
  const of = (s: string) => measurements.filter((m) => m.system === s);
  const width = 960;
  const height = 420;
  const panels: Panel[] = [
    {
      left: 80,
      top: 60,
      width: 360,
      height: 280,
      title: 'Server CPU per session',
      yLabel: '% of one core per session',
      logY: false,
      series: systems.map((s, i) => ({ name: s, color: color(s, i), dashed: false, points: of(s).map((m): [number, number, boolean] => [m.n, m.serverCpuPercentPerSession, served(m)]) })),
    },
    {
      left: 560,
      top: 60,
      width: 360,
      height: 280,
      title: 'Echo latency (round trip at the client)',
      yLabel: 'ms (log)',
      logY: true,
      series: systems.flatMap((s, i) => [
        { name: `${s} median`, color: color(s, i), dashed: false, points: of(s).map((m): [number, number, boolean] => [m.n, m.echoLatencyMs.median, served(m)]) },
        { name: `${s} p95`, color: color(s, i), dashed: true, points: of(s).map((m): [number, number, boolean] => [m.n, m.echoLatencyMs.p95, served(m)]) },
      ]),
    },
  ];
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="13">${esc(subtitle)}</text>`,
    ...panels.map(drawPanel),
    `<text x="${width / 2}" y="${height - 12}" text-anchor="middle" fill="#555">Hollow points: not served cleanly (loss ≥ 1 % or sessions failing), or the load client fell short of its target rate.</text>`,
    '</svg>',
    '',
  ].join('\n');
}
