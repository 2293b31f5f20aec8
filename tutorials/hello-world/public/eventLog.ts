/** The event log: the media server's events, and the page's own steps, one readable line each. */
import type { ForwardedEvent } from '../src/messages.js';

type Fields = Record<string, unknown>;

const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '?');
const record = (v: unknown): Fields => (typeof v === 'object' && v !== null ? (v as Fields) : {});

/**
 * `candidate:1 1 udp 2122260223 192.0.2.2 50123 typ host ...` → `udp 192.0.2.2:50123 host`
 * (the `candidate:` prefix is optional: candidate pairs may come without it).
 */
function candidateSummary(line: unknown): string {
  const parts = text(line).replace(/^(a=)?candidate:/, '').split(' ');
  const [, , protocol, , address, port, , type] = parts;
  return address && port ? `${protocol?.toLowerCase() ?? ''} ${address}:${port} ${type ?? ''}`.trim() : text(line);
}

/** What an event says, in a few words. */
export function describeEvent(name: ForwardedEvent, data: Fields): string {
  switch (name) {
    case 'IceCandidateFound':
      return candidateSummary(record(data['candidate'])['candidate']);
    case 'IceGatheringDone':
      return 'all local candidates found';
    case 'IceComponentStateChanged':
      return `${text(data['state'])} (stream ${text(data['streamId'])}, component ${text(data['componentId'])})`;
    case 'NewCandidatePairSelected': {
      const pair = record(data['candidatePair']);
      return `${candidateSummary(pair['localCandidate'])} ⇄ ${candidateSummary(pair['remoteCandidate'])}`;
    }
    case 'ConnectionStateChanged':
    case 'MediaStateChanged':
      return `${text(data['oldState'])} → ${text(data['newState'])}`;
    case 'MediaFlowInStateChanged':
    case 'MediaFlowOutStateChanged':
    case 'MediaTranscodingStateChanged':
      return `${text(data['mediaType'])} ${text(data['state'])}`;
    case 'Error':
      return `${text(data['description'])} (${text(data['type'])}, code ${text(data['errorCode'])})`;
  }
}

const clock = (ms: number): string => {
  const d = new Date(ms);
  return `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
};

/** The most lines kept: older ones scroll away. */
const KEEP = 300;

export class EventLog {
  constructor(private readonly list: HTMLOListElement) {}

  /** A media server event; `timestampMillis` is the server's clock. */
  event(name: ForwardedEvent, data: Fields): void {
    const at = Number(data['timestampMillis']);
    this.#add(Number.isFinite(at) && at > 0 ? at : Date.now(), name, describeEvent(name, data), name === 'Error' ? 'error' : 'event');
  }

  /** A step of the page itself (offer sent, answer applied...). */
  note(what: string, detail = ''): void {
    this.#add(Date.now(), what, detail, 'note');
  }

  clear(): void {
    this.list.replaceChildren();
  }

  #add(at: number, name: string, detail: string, kind: 'event' | 'note' | 'error'): void {
    const item = document.createElement('li');
    item.className = kind;
    item.dataset['event'] = name;
    const time = document.createElement('time');
    time.textContent = clock(at);
    const label = document.createElement('b');
    label.textContent = name;
    const rest = document.createElement('span');
    rest.textContent = detail;
    item.append(time, label, rest);
    const atBottom = this.list.scrollTop + this.list.clientHeight >= this.list.scrollHeight - 4;
    this.list.append(item);
    while (this.list.childElementCount > KEEP) this.list.firstElementChild?.remove();
    if (atBottom) this.list.scrollTop = this.list.scrollHeight; // follow, unless the user scrolled up
  }
}
