/**
 * SDP for plain RTP endpoints (RFC 3264 offer/answer without ICE or DTLS): what a remote
 * description says of each m-line (address and ports, RTCP port or rtcp-mux, codecs, direction,
 * COMEDIA's `a=direction:active`, SDES `a=crypto`), and our own descriptions.
 */
import { KurentoError, type ErrorName } from '@kurento-ts/protocol';
import { write, type MediaDescription, type SessionDescription } from 'sdp-transform';
import { parseSdpText } from '../support/sdpText.js';
import { parseFmtp } from '../rtp/codecs.js';
import type { RtpCodec } from '../types/media.js';
import type { CryptoLine } from './sdes.js';

/** A media direction of SDP. */
export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** What a remote description says of one m-line. */
export interface RemoteMedia {
  readonly index: number;
  readonly kind: string;
  /** 0: the m-line is rejected or disabled. */
  readonly port: number;
  readonly protocol: string;
  readonly address: string;
  readonly rtcpPort: number;
  readonly rtcpMux: boolean;
  /** COMEDIA (`a=direction:active`): the peer sends first; we learn its address from what arrives. */
  readonly comedia: boolean;
  readonly direction: SdpDirection;
  readonly codecs: readonly RtpCodec[];
  /** Whether the peer asks for Generic NACKs and PLIs on video. */
  readonly nack: boolean;
  readonly crypto: readonly CryptoLine[];
  readonly mid: string | undefined;
}

/** Parses and checks a remote plain-RTP description; `errorType` picks the error for a bad one. */
export function parseRemote(sdp: string, maxBytes: number, errorType: ErrorName): RemoteMedia[] {
  const fail = (why: string): never => {
    throw new KurentoError(errorType, `Invalid SDP: ${why}`);
  };
  const session = parseSdpText(sdp, maxBytes, errorType);
  const media = session.media ?? [];
  if (media.length === 0) fail('no media sections');
  if (media.length > 8) fail('more than 8 media sections');
  const out = media.map((m, index) => remoteMedia(m, index, session.connection?.ip, fail));
  if (!out.some((m) => (m.kind === 'audio' || m.kind === 'video') && m.port !== 0)) fail('no audio or video section with a port');
  return out;
}

function remoteMedia(m: MediaDescription, index: number, sessionAddress: string | undefined, fail: (why: string) => never): RemoteMedia {
  const address = m.connection?.ip ?? sessionAddress;
  if (m.port !== 0 && (address === undefined || !isIp(address))) fail(`media section ${index} has no IP address (c=)`);
  if (m.port < 0 || m.port > 65535) fail(`media section ${index} has port ${m.port}`);
  const fmtp = new Map((m.fmtp ?? []).map((f) => [f.payload, f.config]));
  const codecs: RtpCodec[] = (m.rtp ?? []).map((r) => ({
    mimeType: `${m.type}/${r.codec}`,
    clockRate: r.rate ?? 90000,
    channels: m.type === 'audio' ? Number(r.encoding ?? 1) : undefined,
    parameters: parseFmtp(fmtp.get(r.payload)),
    payloadType: r.payload,
  }));
  for (const pt of String(m.payloads ?? '').split(' ').filter(Boolean).map(Number)) {
    // Static payload types need no rtpmap (RFC 3551 §6): the ones we might forward are none, so they are only kept out.
    if (!Number.isInteger(pt) || pt < 0 || pt > 127) fail(`media section ${index} has payload type ${pt}`);
  }
  const invalid = (m.invalid ?? []).map((i) => i.value);
  return {
    index,
    kind: m.type,
    port: m.port,
    protocol: m.protocol,
    address: address ?? '0.0.0.0',
    rtcpPort: m.rtcp?.port ?? m.port + 1,
    rtcpMux: m.rtcpMux !== undefined,
    comedia: invalid.includes('direction:active'),
    direction: (m.direction ?? 'sendrecv') as SdpDirection,
    codecs,
    nack: (m.rtcpFb ?? []).some((f) => f.type === 'nack'),
    crypto: (m.crypto ?? []).map((c) => ({ id: c.id, suite: c.suite, config: c.config })),
    mid: m.mid === undefined ? undefined : String(m.mid),
  };
}

const isIp = (address: string): boolean => /^\d{1,3}(\.\d{1,3}){3}$/.test(address) || /^[0-9a-f:]+$/i.test(address);

/** One m-line of our description. */
export interface LocalMedia {
  readonly kind: string;
  /** 0 rejects the m-line. */
  readonly port: number;
  readonly protocol: string;
  readonly codecs: readonly RtpCodec[];
  readonly rtcpPort: number;
  readonly rtcpMux: boolean;
  readonly direction: SdpDirection;
  /** COMEDIA's answer to an active peer. */
  readonly passive: boolean;
  readonly crypto: CryptoLine | undefined;
  readonly ssrc: number;
  readonly cname: string;
  readonly mid: string | undefined;
  /** Ask for NACK, PLI and FIR on video. */
  readonly feedback: boolean;
}

/** Writes our description. */
export function writeLocal(address: string, sessionId: number, version: number, media: readonly LocalMedia[]): string {
  const ipVersion = address.includes(':') ? 6 : 4;
  const session: SessionDescription = {
    version: 0,
    origin: { username: '-', sessionId, sessionVersion: version, netType: 'IN', ipVer: ipVersion, address },
    name: 'Kurento-TS',
    connection: { version: ipVersion, ip: address },
    timing: { start: 0, stop: 0 },
    media: media.map(localMedia),
  };
  return write(session);
}

function localMedia(m: LocalMedia): MediaDescription {
  const rejected = m.port === 0;
  const codecs = rejected ? m.codecs.slice(0, 1) : m.codecs;
  const fmtp = codecs.filter((c) => Object.keys(c.parameters).length > 0).map((c) => ({ payload: c.payloadType, config: Object.entries(c.parameters).map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join(';') }));
  const out: MediaDescription = {
    type: m.kind,
    port: m.port,
    protocol: m.protocol,
    payloads: codecs.map((c) => c.payloadType).join(' ') || '0',
    rtp: codecs.map((c) => ({ payload: c.payloadType, codec: c.mimeType.slice(c.mimeType.indexOf('/') + 1), rate: c.clockRate, ...(c.channels !== undefined && c.channels > 1 ? { encoding: c.channels } : {}) })),
    fmtp,
  };
  if (rejected) return out;
  out.direction = m.direction;
  if (m.mid !== undefined) out.mid = m.mid;
  if (m.rtcpMux) out.rtcpMux = 'rtcp-mux';
  else out.rtcp = { port: m.rtcpPort };
  if (m.feedback) out.rtcpFb = codecs.flatMap((c) => [{ payload: c.payloadType, type: 'nack' }, { payload: c.payloadType, type: 'nack', subtype: 'pli' }, { payload: c.payloadType, type: 'ccm', subtype: 'fir' }]);
  if (m.crypto) out.crypto = [m.crypto];
  if (m.passive) out.invalid = [{ value: 'direction:passive' }];
  out.ssrcs = [{ id: m.ssrc, attribute: 'cname', value: m.cname }];
  return out;
}
