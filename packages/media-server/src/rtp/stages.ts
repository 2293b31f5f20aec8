/**
 * The receive path of an RTP session as a chain of small stages, pion's interceptor idea reduced
 * to what our endpoints use: each stage binds per-stream state when a stream is negotiated and
 * sees every plain packet of it. An endpoint composes its chain (WebRTC: reception statistics,
 * NACK generation, transport-cc feedback; a plain RTP endpoint: statistics and NACK), and the
 * session (RtpSession) runs it. Per-stream state sits in the stream's slot array, one slot per
 * stage: no lookup per packet beyond the stream's own.
 */
import { NackGenerator } from './NackGenerator.js';
import { ReceptionStats } from './ReceptionStats.js';
import { readExtensionU16 } from './rtpHeader.js';
import type { TwccFeedback } from './TwccFeedback.js';
import type { MediaKind } from '../types/media.js';
import type { StageLedgers } from './lanes.js';

/** A stream the peer sends us, as negotiated. */
export interface InboundRoute {
  kind: MediaKind;
  clockRate: number;
  /** Payload types of media codecs on this m-line (RTX, RED and FEC are not ours to handle). */
  payloadTypes: readonly number[];
  /** Ask for lost packets with Generic NACKs, as the RTCP sender `senderSsrc` (when negotiated). */
  nack?: { senderSsrc: number };
}

/** One stream we receive: its route and each stage's state for it. */
export interface InboundStream {
  readonly ssrc: number;
  readonly route: InboundRoute;
  /** Which payload types are media of this stream, by number. */
  readonly media: Uint8Array;
  /** Per-stage state, by the stage's index in the chain. */
  readonly slots: unknown[];
  /** Reception statistics (kept by every chain: reports and getStats need them). */
  readonly stats: ReceptionStats;
}

/** What a stage can send back to the peer. */
export interface StageOutput {
  /** An RTCP packet of ours (serialized, not yet protected). */
  rtcp(packet: Buffer): void;
}

/** One stage of the receive chain. */
export interface ReceiveStage {
  /** A stream is negotiated (or renegotiated): keep what this stage needs for it in `stream.slots[slot]`. */
  bind(stream: InboundStream, slot: number, output: StageOutput): void;
  /** Hot path: a plain packet of a bound stream, header `headerLength` bytes long. */
  packet(stream: InboundStream, slot: number, packet: Buffer, headerLength: number, nowMs: number): void;
  /** Adds to `ledgers` what `packet` changes for the stream, for a forwarding lane to book in C; false when it cannot be booked there. */
  ledger?(stream: InboundStream, slot: number, ledgers: StageLedgers): boolean;
}

/** Generic NACKs for gaps in streams that negotiated them (rtp/NackGenerator.ts). */
export const nackStage: ReceiveStage = {
  bind(stream, slot, output) {
    const nack = stream.route.nack;
    if (nack && !(stream.slots[slot] instanceof NackGenerator)) stream.slots[slot] = new NackGenerator(nack.senderSsrc, stream.ssrc, (p) => output.rtcp(p));
    if (!nack) stream.slots[slot] = undefined;
  },
  packet(stream, slot, packet, _headerLength, nowMs) {
    (stream.slots[slot] as NackGenerator | undefined)?.onPacket(packet.readUInt16BE(2), nowMs);
  },
  ledger(stream, slot, ledgers) {
    const generator = stream.slots[slot] as NackGenerator | undefined;
    if (!generator) return true;
    if (ledgers.nack) return false;
    ledgers.nack = generator.cells;
    return true;
  },
};

/** Transport-wide sequence numbers of every stream, for the transport's transport-cc feedback. */
export function transportCcStage(feedback: TwccFeedback, extensionId: number): ReceiveStage {
  return {
    bind() {
      // transport-wide: nothing per stream
    },
    packet(_stream, _slot, packet, headerLength, nowMs) {
      const seq = readExtensionU16(packet, headerLength, extensionId);
      if (seq >= 0) feedback.onPacket(seq, nowMs * 1000);
    },
    ledger(_stream, _slot, ledgers) {
      if (ledgers.twcc || extensionId <= 0 || extensionId > 255) return false;
      ledgers.twcc = { cells: feedback.cells, records: feedback.records, extensionId };
      return true;
    },
  };
}

/** Makes an inbound stream; reception statistics survive a renegotiation of the same SSRC. */
export function inboundStream(ssrc: number, route: InboundRoute, previous: InboundStream | undefined): InboundStream {
  const media = new Uint8Array(128);
  for (const pt of route.payloadTypes) media[pt & 0x7f] = 1;
  return { ssrc: ssrc >>> 0, route, media, slots: previous?.slots ?? [], stats: previous?.stats ?? new ReceptionStats(ssrc >>> 0, route.clockRate) };
}

/** The NACK generator a chain keeps for a stream, if any (for stats). */
export function nackOf(stream: InboundStream): NackGenerator | undefined {
  return stream.slots.find((s): s is NackGenerator => s instanceof NackGenerator);
}
