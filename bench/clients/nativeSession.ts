/**
 * A cheaper load session: werift does ICE and DTLS in JS on a native socket
 * (@kurento-ts/native's NativeUdpTransport in place of werift's dgram transport), and once DTLS
 * has given the SRTP keys, media goes around werift: packets are protected in the socket's send
 * slots and leave in one sendmmsg per frame, echoes are unprotected in the receive slab, each
 * in native code. Same surface as NdcSession, so targets, the scheduler and the meter use either.
 */
import {
  RTCPeerConnection,
  RTCRtpCodecParameters,
  RTCRtpHeaderExtensionParameters,
  type RTCDtlsTransport,
  type IceConnection,
  type Protocol,
} from 'werift';
import { DatagramKind, NativeSrtpSession, NativeUdpTransport, type NativeSrtpProfile } from '../../packages/native/src/index.js';
import type { EchoMeter } from './echoMeter.js';
import { LoadSessionBase, type SessionState } from './loadSessionBase.js';
import { AUDIO_PT, VIDEO_PT } from './ndcSession.js';
import { EXTENSION_IDS, EXTENSION_URIS } from './rtpPackets.js';

/** werift's DTLS-SRTP profile numbers. */
const PROFILES: Record<number, NativeSrtpProfile> = { 1: 'AES_CM_128_HMAC_SHA1_80', 7: 'AEAD_AES_128_GCM' };
const SALT: Record<NativeSrtpProfile, number> = {
  AES_CM_128_HMAC_SHA1_80: 14,
  AES_CM_128_HMAC_SHA1_32: 14,
  AEAD_AES_128_GCM: 12,
  AEAD_AES_256_GCM: 12,
  AES_256_CM_HMAC_SHA1_80: 14,
  AES_256_CM_HMAC_SHA1_32: 14,
};

/** werift internals used here (private in its typings). */
interface ConnectionInternals {
  ensureProtocol(protocol: Protocol): void;
  nominated?: { protocol: { transport?: unknown }; remoteAddr: readonly [string, number] };
}
interface StunProtocolInternals {
  transport: unknown;
  connectionMade: (useIpv4: boolean, portRange?: [number, number]) => Promise<void>;
  datagramReceived(data: Buffer, addr: readonly [string, number]): void;
}
interface DtlsInternals {
  srtp: { srtpProfile?: number };
  extractSessionKeys(keyLength: number, saltLength: number): { localKey: Buffer; localSalt: Buffer; remoteKey: Buffer; remoteSalt: Buffer };
}

const extensions = () => [
  new RTCRtpHeaderExtensionParameters({ id: EXTENSION_IDS.mid, uri: EXTENSION_URIS.mid }),
  new RTCRtpHeaderExtensionParameters({ id: EXTENSION_IDS.absSendTime, uri: EXTENSION_URIS.absSendTime }),
  new RTCRtpHeaderExtensionParameters({ id: EXTENSION_IDS.transportCc, uri: EXTENSION_URIS.transportCc }),
];

export class NativeSession extends LoadSessionBase {
  readonly ssrcAudio: number;
  readonly ssrcVideo: number;

  private readonly pc: RTCPeerConnection;
  private readonly transports: NativeUdpTransport[] = [];
  private readonly pendingRemote: { candidate: string; mid: string }[] = [];
  private haveAnswer = false;
  private closed = false;
  private gathered: Promise<void> = Promise.resolve();
  private readonly settled: Promise<SessionState>;
  /** Set once DTLS is up: where media goes (the pair nominated last), and its SRTP. */
  private media: { transport: NativeUdpTransport; peer: number; pair: unknown; out: NativeSrtpSession; in: NativeSrtpSession } | undefined;
  private connection: ConnectionInternals | undefined;

  constructor(index: number, meter: EchoMeter) {
    super(index, meter);
    this.pc = new RTCPeerConnection({
      bundlePolicy: 'max-bundle',
      iceAdditionalHostAddresses: ['127.0.0.1'],
      iceUseIpv6: false,
      codecs: {
        audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2, payloadType: AUDIO_PT, rtcpFeedback: [{ type: 'transport-cc' }] })],
        video: [
          new RTCRtpCodecParameters({
            mimeType: 'video/VP8',
            clockRate: 90000,
            payloadType: VIDEO_PT,
            rtcpFeedback: [{ type: 'goog-remb' }, { type: 'transport-cc' }, { type: 'ccm', parameter: 'fir' }, { type: 'nack' }, { type: 'nack', parameter: 'pli' }],
          }),
        ],
      },
      headerExtensions: { audio: extensions(), video: extensions() },
    });
    const audio = this.pc.addTransceiver('audio', { direction: 'sendrecv' });
    const video = this.pc.addTransceiver('video', { direction: 'sendrecv' });
    this.ssrcAudio = audio.sender.ssrc;
    this.ssrcVideo = video.sender.ssrc;
    this.pc.onIceCandidate.subscribe((c) => {
      if (!c?.candidate) return;
      this.addLocalCandidate({ candidate: c.candidate, sdpMid: c.sdpMid ?? '0', sdpMLineIndex: c.sdpMLineIndex ?? 0 });
    });
    this.settled = new Promise((resolve) => {
      this.pc.connectionStateChange.subscribe((s) => {
        if (this.state !== 'new') return;
        if (s === 'connected') {
          const error = this.startMedia();
          this.state = error ? 'failed' : 'connected';
          this.connectedAt = performance.now();
          resolve(this.state);
        } else if (s === 'failed' || s === 'closed') {
          this.state = 'failed';
          resolve('failed');
        }
      });
    });
  }

  /** Creates the offer (gathering on native sockets); resolves with its SDP. */
  async createOffer(): Promise<string> {
    const offer = await this.pc.createOffer();
    // The ICE transports exist now; their sockets open with the local description.
    for (const transport of this.pc.iceTransports) this.nativeSockets(transport.connection);
    this.gathered = new Promise((resolve) => {
      if (this.pc.iceGatheringState === 'complete') resolve();
      this.pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && resolve());
    });
    await this.pc.setLocalDescription(offer);
    this.offerAt = performance.now();
    return this.pc.localDescription?.sdp ?? '';
  }

  gatheringComplete(): Promise<void> {
    return this.gathered;
  }

  setAnswer(sdp: string): void {
    this.answerAt = performance.now();
    void this.pc.setRemoteDescription({ type: 'answer', sdp }).then(() => {
      this.haveAnswer = true;
      for (const c of this.pendingRemote.splice(0)) void this.pc.addIceCandidate({ candidate: c.candidate, sdpMid: c.mid }).catch(() => undefined);
    });
  }

  addRemoteCandidate(candidate: string, mid: string): void {
    if (this.closed) return;
    if (this.haveAnswer) void this.pc.addIceCandidate({ candidate, sdpMid: mid }).catch(() => undefined);
    else this.pendingRemote.push({ candidate, mid });
  }

  waitConnected(timeoutMs: number): Promise<void> {
    return this.settle(this.settled, timeoutMs, () => `peer connection ${this.pc.connectionState}, ICE ${this.pc.iceConnectionState}`);
  }

  /** The nominated pair may change after 'connected' (a later nomination): follow it. */
  private follow(): void {
    const media = this.media;
    const nominated = this.connection?.nominated;
    if (!media || !nominated || nominated === media.pair) return;
    const transport = this.transports.find((t) => t === nominated.protocol.transport);
    if (!transport) return;
    media.pair = nominated;
    media.transport = transport;
    media.peer = transport.trust(nominated.remoteAddr);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.media?.out.close();
    this.media?.in.close();
    this.media = undefined;
    void this.pc.close().catch(() => undefined);
    for (const t of this.transports) void t.close();
  }

  /** Hot path: copies a plain packet into send slot `slot`, protects it there and queues it. */
  protected sendPacket(_kind: 'audio' | 'video', packet: Buffer, slot: number, nowMs: number): void {
    if (slot === 0) this.follow();
    const media = this.media;
    if (!media || this.closed) return;
    const socket = media.transport.socket;
    const at = socket.txSlotOffset(slot);
    packet.copy(socket.slab, at);
    const length = media.out.protectRtp(socket.slab, at, packet.length);
    if (length < 0) return;
    media.transport.queue(at, length, media.peer);
    this.meter.onSent(nowMs);
  }

  /** One sendmmsg for the frame's packets. */
  protected override endBurst(): void {
    this.media?.transport.flush();
  }

  /** werift opens its ICE sockets through this: native ones, bound as werift binds (any address). */
  private nativeSockets(connection: IceConnection): void {
    const internals = connection as unknown as ConnectionInternals;
    const ensure = internals.ensureProtocol.bind(connection);
    internals.ensureProtocol = (protocol) => {
      ensure(protocol);
      const stun = protocol as unknown as StunProtocolInternals;
      stun.connectionMade = async () => {
        const transport = new NativeUdpTransport({ address: '0.0.0.0', peersOnly: false, txCapacity: 32 });
        transport.onData = (data, addr) => stun.datagramReceived(data, addr);
        this.transports.push(transport);
        stun.transport = transport;
      };
    };
  }

  /** DTLS is up: SRTP keys for our own media path, on the nominated pair's native socket. */
  private startMedia(): string | undefined {
    const dtls = this.pc.dtlsTransports[0] as (RTCDtlsTransport & { dtls?: DtlsInternals }) | undefined;
    const connection = this.pc.iceTransports[0]?.connection as unknown as ConnectionInternals | undefined;
    const profile = PROFILES[dtls?.dtls?.srtp.srtpProfile ?? -1];
    const nominated = connection?.nominated;
    const transport = this.transports.find((t) => t === nominated?.protocol.transport);
    if (!dtls?.dtls || !profile || !nominated || !transport) return 'no DTLS-SRTP profile or nominated native socket';
    const keys = dtls.dtls.extractSessionKeys(16, SALT[profile]);
    const out = new NativeSrtpSession(profile, keys.localKey, keys.localSalt);
    const inbound = new NativeSrtpSession(profile, keys.remoteKey, keys.remoteSalt);
    const peer = transport.trust(nominated.remoteAddr);
    this.connection = connection;
    this.media = { transport, peer, pair: nominated, out, in: inbound };
    // Echoes may come back on any of our sockets (the server answers on its own selected pair).
    const receive: NonNullable<NativeUdpTransport['media']> = (socket, slot, kind) => {
      const at = socket.rxOffset(slot);
      const length = kind === DatagramKind.rtcp ? inbound.unprotectRtcp(socket.slab, at, socket.rxLength[slot] ?? 0) : inbound.unprotectRtp(socket.slab, at, socket.rxLength[slot] ?? 0);
      if (length < 0) return true;
      this.onPacket(socket.slab.subarray(at, at + length));
      return true;
    };
    for (const t of this.transports) t.media = receive;
    return undefined;
  }
}
