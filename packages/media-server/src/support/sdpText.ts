/**
 * The first checks every remote SDP gets before anything reads it: its size, that it is SDP at
 * all, and that it parses. Hostile or broken input gets a precise Kurento error here instead of
 * an exception from deep inside a transport.
 */
import { KurentoError, type ErrorName } from '@kurento-ts/protocol';
import { parse, type SessionDescription } from 'sdp-transform';

/** Parses a remote SDP no larger than `maxBytes`; a bad one throws a Kurento error (`errorType` for size, SDP_PARSE_ERROR for syntax). */
export function parseSdpText(sdp: string, maxBytes: number, errorType: ErrorName): SessionDescription {
  if (Buffer.byteLength(sdp) > maxBytes) throw new KurentoError(errorType, `Invalid SDP: larger than ${maxBytes} bytes`);
  if (!/^v=0\r?\n/.test(sdp)) throw new KurentoError('SDP_PARSE_ERROR', 'Invalid SDP: it must start with v=0');
  try {
    return parse(sdp);
  } catch (e) {
    throw new KurentoError('SDP_PARSE_ERROR', `Invalid SDP: ${(e as Error).message}`);
  }
}
