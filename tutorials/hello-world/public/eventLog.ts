/** The event log: the media server's events, and the page's own steps, one readable line each. */
import { candidateSummary, MessageLog } from '@kurento-ts/tutorial-kit/page';
import type { ForwardedEvent } from '../src/messages.js';

type Fields = Record<string, unknown>;

const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '?');
const record = (v: unknown): Fields => (typeof v === 'object' && v !== null ? (v as Fields) : {});

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

/**
 * The log of the page: the media server's events and the page's steps, each at the page's time
 * when it came (one clock, so the lines read in order; the server's `timestampMillis` is on
 * another machine's clock, and an event stamped before a step of the page may arrive after it).
 */
export class EventLog {
  readonly #log: MessageLog;

  constructor(list: HTMLOListElement) {
    this.#log = new MessageLog(list);
  }

  /** A media server event, as it arrives. */
  event(name: ForwardedEvent, data: Fields): void {
    this.#log.line(name === 'Error' ? 'error' : 'event', name, describeEvent(name, data));
  }

  /** A step of the page itself (offer sent, answer applied...). */
  note(what: string, detail = ''): void {
    this.#log.note(what, detail);
  }

  clear(): void {
    this.#log.clear();
  }
}
