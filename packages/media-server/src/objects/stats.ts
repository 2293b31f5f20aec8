/**
 * getStats entries typed by the schema's stats types (Kurento's names: a misspelt or missing
 * field is a compile error), tagged with `__module__`/`__type__` as Kurento sends them, and the
 * pieces every RTP endpoint shares: inbound and outbound stream entries from an RTP session's
 * statistics, and latency lists.
 */
import type { ComplexTypeName } from '@kurento-ts/protocol';
import type { LatencyMeter } from '../graph/latency.js';
import type { InboundStreamStats, OutboundStreamStats } from '../rtp/RtpSession.js';
import { mediaKinds, mediaTypeOf, type MediaKind } from '../types/media.js';
import type { ComplexServerValue, StatsEntry } from './contract.js';

/** The schema's stats types. */
export type StatsTypeName = Extract<ComplexTypeName, 'ElementStats' | 'EndpointStats' | `RTC${string}`>;

/** One entry of type `name`: its schema fields, and any extra fields of ours. */
export function statsEntry<N extends StatsTypeName>(name: N, fields: ComplexServerValue<N> & Readonly<Record<string, unknown>>): StatsEntry {
  // Every stats type has Stats' fields (the schema spells them out); TypeScript loses them in the generic.
  const { id, type, timestampMillis } = fields as unknown as Pick<StatsEntry, 'id' | 'type' | 'timestampMillis'>;
  return { ...fields, __module__: 'kurento', __type__: name, id, type, timestampMillis };
}

type LatencyStat = ComplexServerValue<'MediaLatencyStat'> & { readonly __module__: 'kurento'; readonly __type__: 'MediaLatencyStat' };

/**
 * Kurento's latency list: one MediaLatencyStat per kind measured (named after the element's
 * sink pad, `sink_<kind>_default`, as Kurento names them; the average in nanoseconds). Empty
 * while latency stats are off or before a packet went through.
 */
export function latencyList(meter: LatencyMeter, which: 'input' | 'endToEnd'): LatencyStat[] {
  return mediaKinds.flatMap((kind) => {
    const avg = which === 'input' ? meter.inputNs(kind) : meter.endToEndNs(kind);
    return avg === undefined ? [] : [{ __module__: 'kurento', __type__: 'MediaLatencyStat', name: `sink_${kind}_default`, type: mediaTypeOf(kind), avg }];
  });
}

/** What the element's flow counters say of one kind and direction. */
export interface FlowCounts {
  packets: number;
  bytes: number;
}

/** Kurento's RTCRTPStreamStats fields that nothing of ours measures (what KMS reports for them too). */
const unmeasured = { associateStatsId: '', isRemote: false, mediaTrackId: '', codecId: '', sliCount: 0 } as const;

/**
 * An inbound RTP entry: counters from the element's flow monitor, the rest from the RTP
 * session's statistics of the stream the peer sends (zeros before it sent anything). We send
 * PLIs, never FIRs, and no REMB (transport-cc feedback instead).
 */
export function inboundRtpEntry(id: string, now: number, kind: MediaKind, flow: FlowCounts, transportId: string, s: InboundStreamStats | undefined): StatsEntry {
  return statsEntry('RTCInboundRTPStreamStats', {
    ...unmeasured,
    id,
    type: 'inboundrtp',
    timestampMillis: now,
    mediaType: mediaTypeOf(kind),
    transportId,
    ssrc: s ? String(s.ssrc) : '',
    packetsReceived: flow.packets,
    bytesReceived: flow.bytes,
    packetsLost: s?.packetsLost ?? 0,
    fractionLost: s?.fractionLost ?? 0,
    jitter: s?.jitterSeconds ?? 0,
    nackCount: s?.nacksSent ?? 0,
    pliCount: s?.pliSent ?? 0,
    firCount: 0,
    remb: 0,
  });
}

/**
 * An outbound RTP entry: counters from the element's flow monitor, the rest from what the
 * peer's RTCP said of the stream we send (keyframe requests, NACKs, its receiver reports' loss
 * and round-trip time, its REMB).
 */
export function outboundRtpEntry(id: string, now: number, kind: MediaKind, flow: FlowCounts, transportId: string, s: OutboundStreamStats | undefined): StatsEntry {
  return statsEntry('RTCOutboundRTPStreamStats', {
    ...unmeasured,
    id,
    type: 'outboundrtp',
    timestampMillis: now,
    mediaType: mediaTypeOf(kind),
    transportId,
    ssrc: s ? String(s.ssrc) : '',
    packetsSent: flow.packets,
    bytesSent: flow.bytes,
    packetsLost: s?.packetsLost ?? 0,
    fractionLost: s?.fractionLost ?? 0,
    nackCount: s?.nacksReceived ?? 0,
    pliCount: s?.pliCount ?? 0,
    firCount: s?.firCount ?? 0,
    remb: s?.remb ?? 0,
    roundTripTime: s?.roundTripTime ?? 0,
    targetBitrate: 0,
  });
}
