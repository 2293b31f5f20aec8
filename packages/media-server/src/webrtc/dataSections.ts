/**
 * Rejecting an offer's data-channel sections, as Kurento does for a WebRtcEndpoint created
 * without `useDataChannels`: the WebRTC stack sees the offer without its `m=application`
 * sections (so no SCTP association starts), and the answer gets a rejected section (port 0,
 * RFC 8866 §5.14) at each of their places, its mid kept and left out of the BUNDLE group
 * (RFC 8843 §7.3.3). Candidates are renumbered between the two views of the m-lines.
 * Text in, text out: pure.
 */
import { KurentoError } from '@kurento-ts/protocol';

/** A candidate as signalling carries it. */
export interface CandidateRef {
  candidate: string;
  sdpMid: string;
  sdpMLineIndex: number;
}

/** An offer with its data sections taken out, and how to put them back into the answer. */
export interface DataSectionsRejected {
  /** The offer the WebRTC stack negotiates. */
  readonly offer: string;
  /** The answer for the client: the stack's, with a rejected section where each data section was. */
  answer(stackAnswer: string): string;
  /** The client's m-line index of the stack's m-line `index`. */
  clientIndex(index: number): number;
  /** A client candidate addressed to the stack's m-lines (one bundled transport carries every kept m-line). */
  stackCandidate(candidate: CandidateRef): CandidateRef;
}

interface Section {
  text: string;
  /** The m= line's protocol and formats (e.g. `UDP/DTLS/SCTP webrtc-datachannel`). */
  protoAndFormats: string;
  mid: string | undefined;
  isData: boolean;
}

/** Splits an SDP into its session part and its media sections (each ending with its line break). */
function split(sdp: string): { session: string; sections: Section[] } {
  const parts = sdp.split(/(?=^m=)/m);
  const session = parts[0]?.startsWith('m=') ? '' : (parts.shift() ?? '');
  const sections = parts.map((text) => {
    const mLine = /^m=(\S+) \S+ (.*?)\r?$/m.exec(text);
    return {
      text,
      protoAndFormats: mLine?.[2] ?? 'UDP/DTLS/SCTP webrtc-datachannel',
      mid: /^a=mid:(\S+)/m.exec(text)?.[1],
      isData: mLine?.[1] === 'application',
    };
  });
  return { session, sections };
}

/** The offer without its data sections, or undefined when it has none. */
export function withoutDataSections(offer: string): DataSectionsRejected | undefined {
  const { session, sections } = split(offer);
  if (!sections.some((s) => s.isData)) return undefined;
  const kept = sections.filter((s) => !s.isData);
  if (kept.length === 0) {
    throw new KurentoError('SDP_END_POINT_PROCESS_OFFER_ERROR', 'The offer has only data channels, and this WebRtcEndpoint was created without useDataChannels');
  }
  const eol = offer.includes('\r\n') ? '\r\n' : '\n';
  const rejectedMids = new Set(sections.filter((s) => s.isData).flatMap((s) => (s.mid === undefined ? [] : [s.mid])));
  const firstKept = kept[0];
  const keptIndexes = sections.flatMap((s, i) => (s.isData ? [] : [i]));
  return {
    offer: withoutMidsInBundle(session, rejectedMids) + kept.map((s) => s.text).join(''),
    answer(stackAnswer) {
      const answer = split(stackAnswer);
      let next = 0;
      const out = sections.map((s) => {
        if (!s.isData) return answer.sections[next++]?.text ?? '';
        const mid = s.mid === undefined ? '' : `a=mid:${s.mid}${eol}`;
        return `m=application 0 ${s.protoAndFormats}${eol}c=IN IP4 0.0.0.0${eol}${mid}`;
      });
      return answer.session + out.join('');
    },
    clientIndex: (index) => keptIndexes[index] ?? index,
    stackCandidate(candidate) {
      if (firstKept === undefined) return candidate;
      if (rejectedMids.has(candidate.sdpMid) || sections[candidate.sdpMLineIndex]?.isData === true) {
        return { ...candidate, sdpMid: firstKept.mid ?? '0', sdpMLineIndex: 0 };
      }
      const index = keptIndexes.indexOf(candidate.sdpMLineIndex);
      return { ...candidate, sdpMLineIndex: index < 0 ? 0 : index };
    },
  };
}

/** The session part with the given mids taken out of its BUNDLE group (the group dropped when empty). */
function withoutMidsInBundle(session: string, mids: ReadonlySet<string>): string {
  return session.replace(/^a=group:BUNDLE(.*?)(\r?\n)/m, (_line, list: string, eol: string) => {
    const left = list.split(' ').filter((m) => m !== '' && !mids.has(m));
    return left.length === 0 ? '' : `a=group:BUNDLE ${left.join(' ')}${eol}`;
  });
}
