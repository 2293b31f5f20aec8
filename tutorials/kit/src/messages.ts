/**
 * What every tutorial's signalling messages have in common: JSON objects with a string `id`,
 * ICE candidates in the browser's and Kurento's shape, and the checks that turn what a page
 * sends into typed values or a BadMessage saying what is wrong. Shared by app servers and pages
 * (`@kurento-ts/tutorial-kit/messages`): nothing here needs Node or the DOM.
 */

/** An ICE candidate as both ends exchange it (RTCIceCandidateInit's and Kurento's fields). */
export interface Candidate {
  candidate: string;
  sdpMid: string;
  sdpMLineIndex: number;
}

/** A message the server cannot act on, and why (answered to the page). */
export class BadMessage extends Error {
  override readonly name = 'BadMessage';
}

/** What every tutorial's server answers a failure with. */
export interface ErrorMessage {
  id: 'error';
  message: string;
}

/** A failure as a sentence. */
export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Answers a failure to the page as `error`; one that is not the page's fault (not a BadMessage) goes to `onFault` (the log) too. */
export function answerError(e: unknown, send: (message: ErrorMessage) => void, onFault: (error: unknown) => void): void {
  if (!(e instanceof BadMessage)) onFault(e);
  send({ id: 'error', message: errorMessage(e) });
}

/** A parsed message: its id, and all its fields still unchecked. */
export interface RawMessage {
  id: string;
  fields: Readonly<Record<string, unknown>>;
}

/** Whether `v` is a plain JSON object (not null, not an array). */
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses one text frame; throws BadMessage unless it is a JSON object with a string "id". */
export function readMessage(text: string): RawMessage {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    throw new BadMessage('Malformed message: not JSON');
  }
  if (!isRecord(message) || typeof message['id'] !== 'string') throw new BadMessage('Malformed message: expected an object with a string "id"');
  return { id: message['id'], fields: message };
}

/** `fields[name]` as a non-empty string, or BadMessage naming the message and the field. */
export function requireString(message: RawMessage, name: string, maxLength = Infinity): string {
  const value = message.fields[name];
  if (typeof value !== 'string' || value === '') throw new BadMessage(`${message.id}: "${name}" must be a non-empty string`);
  if (value.length > maxLength) throw new BadMessage(`${message.id}: "${name}" must be at most ${maxLength} characters`);
  return value;
}

/** `fields[name]` as a string when present (empty counts as absent), else undefined; anything else is a BadMessage. */
export function optionalString(message: RawMessage, name: string): string | undefined {
  const value = message.fields[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new BadMessage(`${message.id}: "${name}" must be a string`);
  return value;
}

/** `fields[name]` as one of `allowed`, or BadMessage listing them. */
export function requireOneOf<T extends string>(message: RawMessage, name: string, allowed: readonly T[]): T {
  const value = message.fields[name];
  const found = allowed.find((a) => a === value);
  if (found === undefined) throw new BadMessage(`${message.id}: "${name}" must be ${allowed.map((a) => JSON.stringify(a)).join(' or ')}`);
  return found;
}

/** `fields.candidate` as a Candidate (a browser's RTCIceCandidate serialized; extra fields such as usernameFragment are dropped). */
export function requireCandidate(message: RawMessage): Candidate {
  const c = message.fields['candidate'];
  if (!isRecord(c) || typeof c['candidate'] !== 'string' || typeof c['sdpMid'] !== 'string' || typeof c['sdpMLineIndex'] !== 'number' || !Number.isInteger(c['sdpMLineIndex'])) {
    throw new BadMessage(`${message.id}: "candidate" must have candidate, sdpMid and sdpMLineIndex`);
  }
  return { candidate: c['candidate'], sdpMid: c['sdpMid'], sdpMLineIndex: c['sdpMLineIndex'] };
}

/** The answer to an id no tutorial message has. */
export function unknownId(message: RawMessage): BadMessage {
  return new BadMessage(`Invalid message id ${JSON.stringify(message.id)}`);
}

/** Page → server, in every loopback tutorial (Hello World's; see endpointSession.ts). */
export type LoopbackRequest =
  | { id: 'start'; sdpOffer: string }
  | { id: 'onIceCandidate'; candidate: Candidate }
  | { id: 'stop' };

/** Server → page, what every loopback tutorial sends (some add messages of their own). */
export type LoopbackReply =
  | { id: 'startResponse'; sdpAnswer: string }
  | { id: 'iceCandidate'; candidate: Candidate }
  | ErrorMessage;

/** Parses and checks one text frame from a page; throws BadMessage when it is not one of ours. */
export function parseLoopbackRequest(text: string): LoopbackRequest {
  const message = readMessage(text);
  switch (message.id) {
    case 'start':
      return { id: 'start', sdpOffer: requireString(message, 'sdpOffer') };
    case 'onIceCandidate':
      return { id: 'onIceCandidate', candidate: requireCandidate(message) };
    case 'stop':
      return { id: 'stop' };
    default:
      throw unknownId(message);
  }
}
