/**
 * One direction's SRTP and SRTCP in the native addon (@kurento-ts/native's NativeSrtpSession),
 * with the Buffer surface our TypeScript `SrtpContext` has, so the fast path takes either; and
 * `protectInto`, which writes a packet straight into a socket's send slot and protects it there.
 * Same rules as `SrtpContext` (index estimation, replay window, SSRC table), checked packet by
 * packet against it in packages/native/test/srtp-typescript.test.ts.
 */
import { NativeSrtpSession, NATIVE_SRTP_PROFILES, SrtpReject, type NativeSrtpProfile } from '@kurento-ts/native';
import type { RtpProtector } from './OutboundStream.js';

export class NativeSrtp implements RtpProtector {
  private readonly session: NativeSrtpSession;
  private readonly tagLength: number;
  private readonly rtcpOverhead: number;
  private closed = false;

  constructor(
    readonly profile: NativeSrtpProfile,
    masterKey: Uint8Array,
    masterSalt: Uint8Array,
  ) {
    this.session = new NativeSrtpSession(profile, masterKey, masterSalt);
    this.tagLength = NATIVE_SRTP_PROFILES[profile].rtpTagLength;
    this.rtcpOverhead = NATIVE_SRTP_PROFILES[profile].rtcpOverhead;
  }

  /** Authenticates and decrypts bytes[offset, offset + length) in place: the plain length, or negative (refused; bytes untouched). */
  unprotectAt(bytes: Uint8Array, offset: number, length: number): number {
    return this.closed ? SrtpReject.internal : this.session.unprotectRtp(bytes, offset, length);
  }

  /** `SrtpContext.unprotect`: the plain packet is packet[0, result) when the result is not negative. */
  unprotect(packet: Buffer): number {
    return this.unprotectAt(packet, 0, packet.length);
  }

  /**
   * Writes header[0, headerLength), payloadPrefix and payload at bytes[offset...] and protects
   * them there (the tag after them): the SRTP length, or negative. `bytes` needs room for the
   * packet and its tag.
   */
  protectInto(bytes: Buffer, offset: number, header: Buffer, headerLength: number, payload: Buffer, payloadPrefix?: Buffer): number {
    if (this.closed) return SrtpReject.internal;
    header.copy(bytes, offset, 0, headerLength);
    let at = offset + headerLength;
    if (payloadPrefix) at += payloadPrefix.copy(bytes, at);
    at += payload.copy(bytes, at);
    return this.session.protectRtp(bytes, offset, at - offset);
  }

  /** `RtpProtector`: the packet protected in a buffer of its own (an empty one when refused). */
  protect(header: Buffer, headerLength: number, payload: Buffer, payloadPrefix?: Buffer): Buffer {
    const out = Buffer.allocUnsafe(headerLength + (payloadPrefix?.length ?? 0) + payload.length + this.tagLength);
    const length = this.protectInto(out, 0, header, headerLength, payload, payloadPrefix);
    return out.subarray(0, Math.max(length, 0));
  }

  /** A plain compound RTCP packet, protected into a new buffer (an empty one when refused). */
  protectRtcp(packet: Buffer): Buffer {
    if (this.closed) return Buffer.alloc(0);
    const out = Buffer.allocUnsafe(packet.length + this.rtcpOverhead);
    packet.copy(out);
    return out.subarray(0, Math.max(this.session.protectRtcp(out, 0, packet.length), 0));
  }

  /** Authenticates (and decrypts) an SRTCP packet in place: the plain packet, or undefined when refused. */
  unprotectRtcp(packet: Buffer): Buffer | undefined {
    const length = this.closed ? SrtpReject.internal : this.session.unprotectRtcp(packet, 0, packet.length);
    return length < 0 ? undefined : packet.subarray(0, length);
  }

  /** Packets refused, by cause. */
  rejected(): { auth: number; replay: number; malformed: number } {
    return this.closed ? { auth: 0, replay: 0, malformed: 0 } : this.session.rejected();
  }

  /** The addon's session, for forwarding lanes to point at. */
  get nativeSession(): NativeSrtpSession {
    return this.session;
  }

  /** Wipes the keys now; later calls refuse every packet. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.session.close();
  }
}
