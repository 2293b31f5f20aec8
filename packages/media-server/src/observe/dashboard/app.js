// The dashboard page's script (served inline in page.html by src/observe/Dashboard.ts): it hears
// the server's views on /dashboard/events, lays each pipeline out with elkjs (only when its
// elements or edges change) and draws it as plain SVG. Text from the server goes in through
// textContent and attributes only, never as markup.
const SVG = 'http://www.w3.org/2000/svg';
const NODE_W = 210;
const NODE_H = 58;
const LABEL_W = 260;
const LABEL_H = 14;
const MARGIN = 12;
const COLORS = { WebRtcEndpoint: '#dbe9ff', RtpEndpoint: '#e4e0ff', PlayerEndpoint: '#ffe9c7', RecorderEndpoint: '#ffd9d9', HttpPostEndpoint: '#fff3bf', PassThrough: '#e3f5e1' };

const token = new URLSearchParams(location.search).get('access_token');
const query = token ? `?access_token=${encodeURIComponent(token)}` : '';
const base = location.pathname.replace(/\/?$/, '/');
const statusLine = document.getElementById('status');
const container = document.getElementById('pipelines');
/** Per pipeline: the structure last laid out and its layout. */
const layouts = new Map();
let latest;
let drawing = false;

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`cannot load ${src}`));
    document.head.append(script);
  });
}

function el(name, attributes = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function rate(bps) {
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(2)} Mbit/s`;
  if (bps >= 1e3) return `${(bps / 1e3).toFixed(0)} kbit/s`;
  return `${bps} bit/s`;
}

const shortId = (id) => id.split('/').pop().split('_')[0].slice(0, 8);

function edgeLabel(e) {
  if (e.mediaType === 'DATA') return 'DATA';
  const what = e.codec ?? e.status;
  const status = e.status === 'forwarding' ? '' : ` (${e.status})`;
  return `${e.mediaType} ${what}${status} · ${rate(e.bitrate)} · ${e.lossPercent.toFixed(1)}% loss`;
}

async function layoutOf(elk, p) {
  const key = JSON.stringify([p.nodes.map((n) => n.id), p.edges.map((e) => e.id)]);
  const cached = layouts.get(p.id);
  if (cached?.key === key) return cached.layout;
  const layout = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.spacing.nodeNode': '28',
      'elk.layered.spacing.nodeNodeBetweenLayers': '80',
      'elk.spacing.edgeLabel': '4',
      'elk.edgeLabels.placement': 'CENTER',
    },
    children: p.nodes.map((n) => ({ id: n.id, width: NODE_W, height: NODE_H })),
    edges: p.edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.sink], labels: [{ id: `${e.id}#label`, text: edgeLabel(e), width: LABEL_W, height: LABEL_H }] })),
  });
  layouts.set(p.id, { key, layout });
  return layout;
}

function drawNode(svg, n, box) {
  const g = el('g', { class: `node${n.flowingIn || n.flowingOut ? ' flowing' : ''}`, 'data-id': n.id, 'data-type': n.type, transform: `translate(${box.x},${box.y})` });
  g.append(el('rect', { width: NODE_W, height: NODE_H, fill: COLORS[n.type] ?? '#eceff3' }));
  g.append(el('text', { x: 8, y: 17, class: 'type' }, n.type));
  g.append(el('text', { x: 8, y: 33, class: 'detail' }, n.name ?? shortId(n.id)));
  const flow = `in ${n.flowingIn ? '▶' : '·'} ${n.packetsIn} pkts   out ${n.flowingOut ? '▶' : '·'} ${n.packetsOut} pkts`;
  g.append(el('text', { x: 8, y: 49, class: 'detail' }, flow));
  svg.append(g);
}

function drawEdge(svg, e, laid) {
  for (const s of laid.sections ?? []) {
    const points = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint];
    const d = points.map((pt, i) => `${i === 0 ? 'M' : 'L'}${pt.x},${pt.y}`).join(' ');
    svg.append(el('path', { d, class: 'edge', 'marker-end': 'url(#arrow)', 'data-id': e.id, 'data-source': e.source, 'data-sink': e.sink, 'data-media': e.mediaType, 'data-status': e.status, 'data-flowing': e.flowing }));
  }
  const label = laid.labels?.[0];
  if (label) svg.append(el('text', { class: 'edge-label', x: label.x, y: label.y + LABEL_H - 3, 'data-edge': e.id }, edgeLabel(e)));
}

function drawPipeline(p, layout) {
  const section = document.createElement('section');
  section.className = 'pipeline';
  section.dataset.id = p.id;
  const title = document.createElement('h2');
  title.textContent = `MediaPipeline ${p.name ?? shortId(p.id)}`;
  const small = document.createElement('small');
  small.textContent = `${p.nodes.length} element${p.nodes.length === 1 ? '' : 's'} · ${p.edges.filter((e) => e.flowing).length}/${p.edges.length} edges flowing · on ${p.host}`;
  title.append(small);
  const svg = el('svg', { width: (layout.width ?? 0) + 2 * MARGIN, height: (layout.height ?? 0) + 2 * MARGIN });
  const defs = el('defs');
  const marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(el('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#556' }));
  defs.append(marker);
  svg.append(defs);
  const g = el('g', { transform: `translate(${MARGIN},${MARGIN})` });
  svg.append(g);
  const boxes = new Map((layout.children ?? []).map((c) => [c.id, c]));
  const edges = new Map((layout.edges ?? []).map((e) => [e.id, e]));
  for (const e of p.edges) if (edges.has(e.id)) drawEdge(g, e, edges.get(e.id));
  for (const n of p.nodes) if (boxes.has(n.id)) drawNode(g, n, boxes.get(n.id));
  section.append(title, svg);
  return section;
}

async function draw(elk) {
  if (drawing) return;
  drawing = true;
  try {
    while (latest) {
      const view = latest;
      latest = undefined;
      const sections = [];
      for (const p of view.pipelines) sections.push(drawPipeline(p, await layoutOf(elk, p)));
      for (const id of layouts.keys()) if (!view.pipelines.some((p) => p.id === id)) layouts.delete(id);
      if (sections.length === 0) {
        const empty = document.createElement('p');
        empty.className = 'empty';
        empty.textContent = 'No pipelines.';
        sections.push(empty);
      }
      container.replaceChildren(...sections);
      statusLine.textContent = `${view.pipelines.length} pipelines · ${view.sessions} sessions · ${new Date(view.at).toLocaleTimeString()}`;
      document.body.dataset.updated = String(view.at);
    }
  } finally {
    drawing = false;
  }
}

try {
  await loadScript(`${base}elk.js${query}`);
  // eslint-disable-next-line no-undef
  const elk = new ELK();
  const events = new EventSource(`${base}events${query}`);
  events.onmessage = (m) => {
    latest = JSON.parse(m.data);
    void draw(elk);
  };
  events.onerror = () => (statusLine.textContent = 'disconnected: retrying…');
} catch (e) {
  statusLine.textContent = `cannot start: ${e.message}`;
}
