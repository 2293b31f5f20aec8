/**
 * Checks a remote SDP before it reaches the WebRTC stack, so hostile or broken input gets a
 * precise Kurento error instead of an exception from deep inside the stack.
 */
import { KurentoError, type ErrorName } from '@kurento-ts/protocol';
import { parseSdpText } from '../support/sdpText.js';

/** What the router needs to know of a checked SDP. */
export interface SdpSummary {
  /** Media sections by kind, in order. */
  kinds: string[];
}

const MEDIA_KINDS = new Set(['audio', 'video', 'application']);

/**
 * Validates an offer or answer: size, syntax, at least one audio or video section (or, with
 * `dataOnly`, a data section alone), and the ICE and DTLS attributes that WebRTC requires.
 * `errorType` picks the error reported for a bad one.
 */
export function checkRemoteSdp(sdp: string, maxBytes: number, errorType: ErrorName, { dataOnly = false } = {}): SdpSummary {
  const fail = (why: string): never => {
    throw new KurentoError(errorType, `Invalid SDP: ${why}`);
  };
  const session = parseSdpText(sdp, maxBytes, errorType);
  const media = session.media ?? [];
  if (media.length === 0) fail('no media sections');
  if (media.length > 16) fail('more than 16 media sections');
  const kinds: string[] = [];
  for (const [index, m] of media.entries()) {
    if (!MEDIA_KINDS.has(m.type)) fail(`media section ${index} has unsupported type ${JSON.stringify(m.type)}`);
    const ufrag = m.iceUfrag ?? session.iceUfrag;
    const pwd = m.icePwd ?? session.icePwd;
    const fingerprint = m.fingerprint ?? session.fingerprint;
    if (m.port !== 0 && (!ufrag || !pwd)) fail(`media section ${index} has no ICE credentials`);
    if (m.port !== 0 && !fingerprint) fail(`media section ${index} has no DTLS fingerprint`);
    kinds.push(m.type);
  }
  if (!kinds.some((k) => k === 'audio' || k === 'video' || (dataOnly && k === 'application'))) fail(dataOnly ? 'no audio, video or data section' : 'no audio or video section');
  return { kinds };
}
