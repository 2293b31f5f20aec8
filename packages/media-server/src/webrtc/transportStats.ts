/**
 * What one WebRTC transport knows of itself for getStats: its ICE candidates and candidate
 * pairs (state, priority, round-trip time of the consent checks) and the bytes it moved. werift
 * counts what passes through its ICE connection (STUN, DTLS, SCTP, its own RTCP); RTP and our
 * RTCP take the fast path straight to and from the nominated pair's socket, so those counts are
 * added to that pair.
 */
import { CandidatePairState, type Candidate, type RTCDtlsTransport } from 'werift';

/** Kurento's RTCStatsIceCandidatePairState values werift's states map to. */
export type PairState = 'frozen' | 'waiting' | 'inprogress' | 'succeeded' | 'failed';
/** Kurento's RTCStatsIceCandidateType values. */
export type CandidateType = 'host' | 'serverreflexive' | 'peerreflexive' | 'relayed';

/** One ICE candidate. */
export interface CandidateInfo {
  id: string;
  address: string;
  port: number;
  protocol: string;
  type: CandidateType;
  priority: number;
}

/** One candidate pair of the check list. */
export interface CandidatePairInfo {
  id: string;
  localId: string;
  remoteId: string;
  state: PairState;
  priority: number;
  nominated: boolean;
  bytesSent: number;
  bytesReceived: number;
  /** Seconds, from the last answered connectivity or consent check; undefined before one. */
  roundTripTime: number | undefined;
}

/** The transport as a whole. */
export interface TransportInfo {
  id: string;
  bytesSent: number;
  bytesReceived: number;
  selectedPairId: string | undefined;
  /** Ids of the certificates, when there are some (we do not report the certificates themselves). */
  localCertificateId: string | undefined;
  remoteCertificateId: string | undefined;
  pairs: CandidatePairInfo[];
  localCandidates: CandidateInfo[];
  remoteCandidates: CandidateInfo[];
}

/** Traffic the fast path carried past werift's counters. */
export interface FastPathWire {
  readonly bytesSent: number;
  readonly bytesReceived: number;
}

const PAIR_STATES: Record<CandidatePairState, PairState> = {
  [CandidatePairState.FROZEN]: 'frozen',
  [CandidatePairState.WAITING]: 'waiting',
  [CandidatePairState.IN_PROGRESS]: 'inprogress',
  [CandidatePairState.SUCCEEDED]: 'succeeded',
  [CandidatePairState.FAILED]: 'failed',
};

const CANDIDATE_TYPES: Record<string, CandidateType> = { host: 'host', srflx: 'serverreflexive', prflx: 'peerreflexive', relay: 'relayed' };

/** Reads the transport's state (werift 0.24.4's ICE connection, public in its typings). */
export function transportInfo(dtls: RTCDtlsTransport, fast: FastPathWire): TransportInfo {
  const connection = dtls.iceTransport.connection;
  const nominated = connection.nominated;
  const pairs = connection.candidatePairs.map((pair): CandidatePairInfo => {
    const extra = pair === nominated ? fast : { bytesSent: 0, bytesReceived: 0 };
    return {
      id: `candidatepair_${pair.id}`,
      localId: candidateId('local', pair.localCandidate),
      remoteId: candidateId('remote', pair.remoteCandidate),
      state: PAIR_STATES[pair.state],
      priority: pair.priority,
      nominated: pair.nominated,
      bytesSent: pair.bytesSent + extra.bytesSent,
      bytesReceived: pair.bytesReceived + extra.bytesReceived,
      roundTripTime: pair.rtt,
    };
  });
  return {
    id: `transport_${dtls.id}`,
    bytesSent: pairs.reduce((n, p) => n + p.bytesSent, 0),
    bytesReceived: pairs.reduce((n, p) => n + p.bytesReceived, 0),
    selectedPairId: nominated && `candidatepair_${nominated.id}`,
    localCertificateId: dtls.localCertificate ? `certificate_${dtls.id}_local` : undefined,
    remoteCertificateId: dtls.state === 'connected' ? `certificate_${dtls.id}_remote` : undefined,
    pairs,
    localCandidates: connection.localCandidates.map((c) => candidateInfo('local', c)),
    remoteCandidates: connection.remoteCandidates.map((c) => candidateInfo('remote', c)),
  };
}

function candidateId(side: 'local' | 'remote', candidate: Candidate): string {
  return `${side}candidate_${candidate.id}`;
}

function candidateInfo(side: 'local' | 'remote', c: Candidate): CandidateInfo {
  return { id: candidateId(side, c), address: c.host, port: c.port, protocol: c.transport.toLowerCase(), type: CANDIDATE_TYPES[c.type] ?? 'host', priority: c.priority };
}
