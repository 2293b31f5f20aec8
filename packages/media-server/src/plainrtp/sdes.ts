/**
 * SDES key exchange (RFC 4568): the `a=crypto` attribute of a plain RTP m-line carries a crypto
 * suite and its master key and salt in base64. Kurento's `SDES` constructor parameter gives our
 * key (plain text or base64, or none for a random one) and suite.
 */
import { randomBytes } from 'node:crypto';
import { KurentoError } from '@kurento-ts/protocol';
import { srtpKeyLength, srtpSaltLength, type SrtpProfile } from '../rtp/SrtpContext.js';

/** The crypto suites Kurento's RtpEndpoint offers (its CryptoSuite enum): RFC 4568 §6.2 and RFC 6188 names. */
export type CryptoSuite = 'AES_128_CM_HMAC_SHA1_32' | 'AES_128_CM_HMAC_SHA1_80' | 'AES_256_CM_HMAC_SHA1_32' | 'AES_256_CM_HMAC_SHA1_80';

/** Each suite's SRTP profile. RFC 4568 writes AES_CM_128_HMAC_SHA1_80; RFC 6188 AES_256_CM_HMAC_SHA1_80. */
const SUITES: Readonly<Record<string, { suite: CryptoSuite; profile: SrtpProfile }>> = {
  AES_CM_128_HMAC_SHA1_32: { suite: 'AES_128_CM_HMAC_SHA1_32', profile: 'AES_CM_128_HMAC_SHA1_32' },
  AES_CM_128_HMAC_SHA1_80: { suite: 'AES_128_CM_HMAC_SHA1_80', profile: 'AES_CM_128_HMAC_SHA1_80' },
  AES_256_CM_HMAC_SHA1_32: { suite: 'AES_256_CM_HMAC_SHA1_32', profile: 'AES_256_CM_HMAC_SHA1_32' },
  AES_256_CM_HMAC_SHA1_80: { suite: 'AES_256_CM_HMAC_SHA1_80', profile: 'AES_256_CM_HMAC_SHA1_80' },
};

/** The SDP name of a suite (RFC 4568 and RFC 6188 spell the 128-bit ones with CM first). */
export const sdpSuiteName = (suite: CryptoSuite): string => (suite.startsWith('AES_128') ? suite.replace('AES_128_CM', 'AES_CM_128') : suite);

/** A suite with its master key and salt. */
export interface SdesKey {
  readonly suite: CryptoSuite;
  readonly profile: SrtpProfile;
  readonly key: Buffer;
  readonly salt: Buffer;
}

/** Kurento's SDES parameter, as validated by the schema. */
export interface SdesParams {
  readonly key?: string;
  readonly keyBase64?: string;
  readonly crypto?: CryptoSuite;
}

/** Our key for a suite: given as text or base64 (key and salt together, Kurento's lengths), or random. */
export function localKey(params: SdesParams): SdesKey {
  const suite = params.crypto ?? 'AES_128_CM_HMAC_SHA1_80';
  const { profile } = SUITES[sdpSuiteName(suite)] ?? { profile: 'AES_CM_128_HMAC_SHA1_80' };
  const length = srtpKeyLength(profile) + srtpSaltLength(profile);
  let material: Buffer;
  if (params.key !== undefined && params.keyBase64 !== undefined) throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', "SDES: give 'key' or 'keyBase64', not both");
  if (params.key !== undefined) {
    material = Buffer.from(params.key, 'latin1');
    if (material.length !== length || Buffer.byteLength(params.key, 'utf8') !== length) throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `SDES: ${suite} needs a key of ${length} characters (master key and salt), got ${params.key.length}`);
  } else if (params.keyBase64 !== undefined) {
    material = Buffer.from(params.keyBase64, 'base64');
    if (material.length !== length || material.toString('base64').replace(/=+$/, '') !== params.keyBase64.replace(/=+$/, '')) {
      throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `SDES: ${suite} needs a base64 key of ${length} bytes (master key and salt), got ${material.length}`);
    }
  } else {
    material = randomBytes(length);
  }
  return split(suite, profile, material);
}

function split(suite: CryptoSuite, profile: SrtpProfile, material: Buffer): SdesKey {
  const keyLength = srtpKeyLength(profile);
  return { suite, profile, key: material.subarray(0, keyLength), salt: material.subarray(keyLength) };
}

/** One `a=crypto` line as sdp-transform parses it. */
export interface CryptoLine {
  id: number;
  suite: string;
  config: string;
}

/**
 * The remote key of the first `a=crypto` line in a suite we know, with its `inline:` key and
 * salt (lifetime and MKI parameters refused: Kurento's peers do not use them). Undefined when the
 * line names no suite we know.
 */
export function remoteKey(lines: readonly CryptoLine[], wanted?: CryptoSuite): { line: CryptoLine; key: SdesKey } | undefined {
  for (const line of lines) {
    const known = SUITES[line.suite];
    if (!known || (wanted !== undefined && known.suite !== wanted)) continue;
    const inline = /^inline:([A-Za-z0-9+/=]+)(\|.*)?$/.exec(line.config.trim());
    if (!inline?.[1]) throw new KurentoError('SDP_PARSE_ERROR', `a=crypto:${line.id}: expected inline:<base64 key and salt>`);
    if (inline[2]) throw new KurentoError('SDP_PARSE_ERROR', `a=crypto:${line.id}: key lifetime and MKI are not supported`);
    const material = Buffer.from(inline[1], 'base64');
    const length = srtpKeyLength(known.profile) + srtpSaltLength(known.profile);
    if (material.length !== length) throw new KurentoError('SDP_PARSE_ERROR', `a=crypto:${line.id}: ${line.suite} needs ${length} bytes of key and salt, got ${material.length}`);
    return { line, key: split(known.suite, known.profile, material) };
  }
  return undefined;
}

/** Our `a=crypto` line for a key. */
export function cryptoLine(id: number, key: SdesKey): CryptoLine {
  return { id, suite: sdpSuiteName(key.suite), config: `inline:${Buffer.concat([key.key, key.salt]).toString('base64')}` };
}
