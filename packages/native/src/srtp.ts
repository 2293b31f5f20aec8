/**
 * SRTP/SRTCP contexts in native code: keyed once, re-IV'd per packet, in place. One per
 * direction of a transport, like media-server's `SrtpContext` (whose behaviour it matches byte
 * for byte: index estimation, the 1,024-packet replay window, the SSRC table cleared when full).
 */
import { requireNative, type RawSrtpSession } from './binding.js';

/** Profiles: DTLS-SRTP's (RFC 5764, RFC 7714) and SDES's AES-256 ones (RFC 6188). */
export type NativeSrtpProfile =
  | 'AEAD_AES_128_GCM'
  | 'AEAD_AES_256_GCM'
  | 'AES_CM_128_HMAC_SHA1_80'
  | 'AES_CM_128_HMAC_SHA1_32'
  | 'AES_256_CM_HMAC_SHA1_80'
  | 'AES_256_CM_HMAC_SHA1_32';

/** Sizes of a profile: master key and salt, RTP tag, and what SRTCP adds (tag + E flag and index). */
export interface SrtpProfileSizes {
  readonly id: number;
  readonly keyLength: number;
  readonly saltLength: number;
  readonly rtpTagLength: number;
  readonly rtcpOverhead: number;
}

/** Every profile the addon knows, with the numbers csrc/srtp.h gives them. */
export const NATIVE_SRTP_PROFILES: Readonly<Record<NativeSrtpProfile, SrtpProfileSizes>> = {
  AES_CM_128_HMAC_SHA1_80: { id: 1, keyLength: 16, saltLength: 14, rtpTagLength: 10, rtcpOverhead: 14 },
  AES_CM_128_HMAC_SHA1_32: { id: 2, keyLength: 16, saltLength: 14, rtpTagLength: 4, rtcpOverhead: 14 },
  AEAD_AES_128_GCM: { id: 7, keyLength: 16, saltLength: 12, rtpTagLength: 16, rtcpOverhead: 20 },
  AEAD_AES_256_GCM: { id: 8, keyLength: 32, saltLength: 12, rtpTagLength: 16, rtcpOverhead: 20 },
  AES_256_CM_HMAC_SHA1_80: { id: 101, keyLength: 32, saltLength: 14, rtpTagLength: 10, rtcpOverhead: 14 },
  AES_256_CM_HMAC_SHA1_32: { id: 102, keyLength: 32, saltLength: 14, rtpTagLength: 4, rtcpOverhead: 14 },
};

/** Negative results of protect and unprotect: why the packet was refused. */
export const SrtpReject = { auth: -1, replay: -2, malformed: -3, noRoom: -4, internal: -5 } as const;

/** Options of a native SRTP session. */
export interface NativeSrtpOptions {
  /** Most SSRCs one session tracks before it forgets them all (default 64, as `SrtpContext`). */
  maxSsrcs?: number;
  /**
   * The key and salt are session keys, used as they are for RTP and RTCP alike (no RFC 3711
   * derivation): only for published AEAD test vectors (RFC 7714 §16–17).
   */
  sessionKeys?: boolean;
}

/** One direction's SRTP and SRTCP context. Every per-packet call works in place on `bytes`. */
export class NativeSrtpSession {
  readonly rtpTagLength: number;
  readonly rtcpOverhead: number;
  /** The addon's object, which forwarding lanes point at (udp.ts). */
  readonly raw: RawSrtpSession;

  constructor(
    readonly profile: NativeSrtpProfile,
    masterKey: Uint8Array,
    masterSalt: Uint8Array,
    options: NativeSrtpOptions = {},
  ) {
    const sizes = NATIVE_SRTP_PROFILES[profile];
    if (!sizes) throw new RangeError(`unknown SRTP profile "${String(profile)}"`);
    const { SrtpSession } = requireNative();
    this.raw = new SrtpSession(sizes.id, masterKey, masterSalt, options.sessionKeys !== true, options.maxSsrcs ?? 64);
    this.rtpTagLength = sizes.rtpTagLength;
    this.rtcpOverhead = sizes.rtcpOverhead;
  }

  /**
   * Protects the plain RTP packet at bytes[offset, offset + length); the tag goes right after it,
   * so `bytes` needs rtpTagLength bytes of room there. Returns the SRTP length or a SrtpReject.
   */
  protectRtp(bytes: Uint8Array, offset: number, length: number): number {
    return this.raw.protectRtp(bytes, offset, length);
  }

  /** Authenticates and decrypts the SRTP packet at bytes[offset, offset + length): the plain length, or a SrtpReject (bytes untouched then). */
  unprotectRtp(bytes: Uint8Array, offset: number, length: number): number {
    return this.raw.unprotectRtp(bytes, offset, length);
  }

  /** Protects a plain RTCP compound packet (encrypted, next SRTCP index of its SSRC); needs rtcpOverhead bytes of room. */
  protectRtcp(bytes: Uint8Array, offset: number, length: number): number {
    return this.raw.protectRtcp(bytes, offset, length);
  }

  /** Authenticates (and decrypts, when its E flag says so) an SRTCP packet: the plain length, or a SrtpReject. */
  unprotectRtcp(bytes: Uint8Array, offset: number, length: number): number {
    return this.raw.unprotectRtcp(bytes, offset, length);
  }

  /** Packets unprotect refused, by cause (RTP and RTCP together). */
  rejected(): { auth: number; replay: number; malformed: number } {
    const s = this.raw.stats();
    return { auth: s.rejectedAuth, replay: s.rejectedReplay, malformed: s.rejectedMalformed };
  }

  /** Wipes the keys and frees the ciphers now; any later call throws. */
  close(): void {
    this.raw.close();
  }
}
