/**
 * The control line to a unit's process: JSON lines both ways. Requests carry an id and get one
 * reply with that id; everything else the process writes is an event. Every request has a
 * deadline, so a process that stops answering is noticed (the unit then calls it hung).
 */
import type { Readable, Writable } from 'node:stream';
import { installAdvice, runtimeAdvice } from './debianPackages.js';
import { ProcessingError, type ProcessingErrorCode } from './errors.js';

/** An event line from the process (`{"event": name, ...}`). */
export interface HelperEvent {
  readonly event: string;
  readonly [field: string]: unknown;
}

/** A reply's fields besides id and ok. */
export type ReplyFields = Readonly<Record<string, unknown>>;

/** Longest line accepted from the process (its events are small; anything longer is a fault). */
const MAX_LINE = 1024 * 1024;

interface Pending {
  readonly resolve: (fields: ReplyFields) => void;
  readonly reject: (error: ProcessingError) => void;
  readonly timer: NodeJS.Timeout;
}

const CODES: ReadonlySet<string> = new Set<ProcessingErrorCode>([
  'unavailable', 'invalid-command', 'not-one-element', 'not-allowed', 'no-such-element', 'no-such-property', 'invalid-value', 'bad-image', 'no-such-image', 'unsupported-codec', 'internal',
]);

/** Our code for a code the process sent (unknown ones are internal faults). */
export function errorCode(code: unknown): ProcessingErrorCode {
  return typeof code === 'string' && CODES.has(code) ? (code as ProcessingErrorCode) : 'internal';
}

/** The error a `failed` event of the process stands for (missing elements named with their packages). */
export function failureOf(event: Readonly<Record<string, unknown>>): ProcessingError {
  const message = typeof event['message'] === 'string' ? event['message'] : 'GStreamer refused the request';
  if (event['code'] === 'missing-element') {
    // Each element once: a unit's pipeline may use one twice.
    const elements = [...new Set(message.split(' ').filter((e) => e !== ''))];
    return new ProcessingError('unavailable', `GStreamer element${elements.length > 1 ? 's' : ''} ${elements.join(', ')} not installed: ${installAdvice(elements)}`);
  }
  if (event['code'] === 'unavailable') return new ProcessingError('unavailable', `${message}: ${runtimeAdvice()}`);
  return new ProcessingError(errorCode(event['code']), message);
}

export class ControlChannel {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private partial = '';
  private closedWith: ProcessingError | undefined;

  constructor(
    private readonly input: Writable,
    output: Readable,
    private readonly onEvent: (event: HelperEvent) => void,
    private readonly onFault: (reason: string) => void,
  ) {
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => this.receive(chunk));
  }

  /** Sends a line without expecting a reply (the spec, first). */
  send(message: object): void {
    if (this.closedWith === undefined) this.input.write(JSON.stringify(message) + '\n');
  }

  /** Sends a request; resolves with the reply's fields, rejects with its error or after `timeoutMs`. */
  request(op: string, fields: Readonly<Record<string, unknown>>, timeoutMs: number): Promise<ReplyFields> {
    if (this.closedWith !== undefined) return Promise.reject(this.closedWith);
    const id = this.nextId++;
    return new Promise<ReplyFields>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ProcessingError('hung', `the GStreamer process did not answer '${op}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.input.write(JSON.stringify({ ...fields, id, op }) + '\n');
    });
  }

  /** Requests still waiting for a reply. */
  get outstanding(): number {
    return this.pending.size;
  }

  /** Fails every pending request with `error` and refuses new ones. */
  close(error: ProcessingError): void {
    if (this.closedWith !== undefined) return;
    this.closedWith = error;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.pending.clear();
  }

  private receive(chunk: string): void {
    this.partial += chunk;
    let newline = this.partial.indexOf('\n');
    while (newline >= 0) {
      const line = this.partial.slice(0, newline);
      this.partial = this.partial.slice(newline + 1);
      if (line.trim() !== '') this.dispatch(line);
      newline = this.partial.indexOf('\n');
    }
    if (this.partial.length > MAX_LINE) {
      this.partial = '';
      this.onFault('the GStreamer process wrote an over-long control line');
    }
  }

  private dispatch(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      this.onFault(`the GStreamer process wrote a line that is not JSON: ${line.slice(0, 200)}`);
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const record = message as Record<string, unknown>;
    if (typeof record['id'] === 'number') {
      const pending = this.pending.get(record['id']);
      if (pending === undefined) return; // answered after its deadline
      this.pending.delete(record['id']);
      clearTimeout(pending.timer);
      if (record['ok'] === true) pending.resolve(record);
      else pending.reject(new ProcessingError(errorCode(record['code']), typeof record['message'] === 'string' ? record['message'] : 'the request failed'));
    } else if (typeof record['event'] === 'string') {
      this.onEvent(record as HelperEvent);
    }
  }
}
