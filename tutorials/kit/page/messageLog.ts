/**
 * The page's console (Kurento's tutorials have one too): every signalling message sent and
 * received, one readable line each, SDP and candidates abbreviated, and the page's own notes.
 */

/** What a line is: its class on the page. */
export type LineKind = 'sent' | 'received' | 'event' | 'note' | 'error';

const clock = (ms: number): string => {
  const d = new Date(ms);
  return `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
};

/** `candidate:1 1 udp 2122260223 192.0.2.2 50123 typ host ...` → `udp 192.0.2.2:50123 host`. */
export function candidateSummary(line: unknown): string {
  const text = typeof line === 'string' ? line : '?';
  const [, , protocol, , address, port, , type] = text.replace(/^(a=)?candidate:/, '').split(' ');
  return address && port ? `${protocol?.toLowerCase() ?? ''} ${address}:${port} ${type ?? ''}`.trim() : text;
}

/** A message's fields other than its id, in a few words (SDP as its size, candidates as address and type). */
export function summarize(message: object): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(message)) {
    if (key === 'id') continue;
    if (typeof value === 'string' && /^sdp(Offer|Answer)$/.test(key)) parts.push(`${key}: ${value.length} bytes`);
    else if (key === 'candidate' && typeof value === 'object' && value !== null) parts.push(`candidate: ${candidateSummary((value as { candidate?: unknown }).candidate)}`);
    else parts.push(`${key}: ${JSON.stringify(value)}`);
  }
  return parts.join(', ');
}

/** The most lines kept: older ones scroll away. */
const KEEP = 300;

/** The console: a list of lines, newest at the bottom, followed while scrolled down. */
export class MessageLog {
  constructor(private readonly list: HTMLElement) {}

  /** A message this page sent. */
  sent(message: { id: string }): void {
    this.line('sent', `→ ${message.id}`, summarize(message));
  }

  /** A message the server sent. */
  received(message: { id: string }): void {
    this.line('received', `← ${message.id}`, summarize(message));
  }

  /** A step of the page itself. */
  note(what: string, detail = ''): void {
    this.line('note', what, detail);
  }

  /** Something that went wrong. */
  error(what: string, detail = ''): void {
    this.line('error', what, detail);
  }

  clear(): void {
    this.list.replaceChildren();
  }

  /** Any line: its kind, a name in bold, a detail, and the page's time now (one clock for every line). */
  line(kind: LineKind, name: string, detail: string): void {
    const item = document.createElement('li');
    item.className = kind;
    const time = document.createElement('time');
    time.textContent = clock(Date.now());
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
