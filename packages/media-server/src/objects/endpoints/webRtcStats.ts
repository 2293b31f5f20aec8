/**
 * The getStats entries of a WebRTC transport, Kurento's types: the transport, its candidate
 * pairs and candidates, and its data channels with the session's channel counts.
 */
import type { DataChannelInfo } from '../../webrtc/dataChannels.js';
import type { TransportInfo } from '../../webrtc/transportStats.js';
import type { StatsEntry } from '../contract.js';
import { statsEntry } from '../stats.js';

/** The transport entry, one per candidate pair (werift knows no bitrate estimate: 0) and one per candidate. */
export function transportEntries(transport: TransportInfo, now: number): Record<string, StatsEntry> {
  const out: Record<string, StatsEntry> = {};
  out[transport.id] = statsEntry('RTCTransportStats', {
    id: transport.id,
    type: 'transport',
    timestampMillis: now,
    bytesSent: transport.bytesSent,
    bytesReceived: transport.bytesReceived,
    rtcpTransportStatsId: '',
    activeConnection: transport.selectedPairId !== undefined,
    selectedCandidatePairId: transport.selectedPairId ?? '',
    localCertificateId: transport.localCertificateId ?? '',
    remoteCertificateId: transport.remoteCertificateId ?? '',
  });
  for (const pair of transport.pairs) {
    out[pair.id] = statsEntry('RTCIceCandidatePairStats', {
      id: pair.id,
      type: 'candidatepair',
      timestampMillis: now,
      transportId: transport.id,
      localCandidateId: pair.localId,
      remoteCandidateId: pair.remoteId,
      state: pair.state,
      priority: pair.priority,
      nominated: pair.nominated,
      writable: pair.state === 'succeeded',
      readable: pair.state === 'succeeded',
      bytesSent: pair.bytesSent,
      bytesReceived: pair.bytesReceived,
      roundTripTime: pair.roundTripTime ?? 0,
      availableOutgoingBitrate: 0,
      availableIncomingBitrate: 0,
    });
  }
  for (const [type, candidates] of [['localcandidate', transport.localCandidates], ['remotecandidate', transport.remoteCandidates]] as const) {
    for (const c of candidates) {
      out[c.id] = statsEntry('RTCIceCandidateAttributes', {
        id: c.id,
        type,
        timestampMillis: now,
        ipAddress: c.address,
        portNumber: c.port,
        transport: c.protocol,
        candidateType: c.type,
        priority: c.priority,
        addressSourceUrl: '',
      });
    }
  }
  return out;
}

/** One entry per open data channel, and the session's counts of channels opened and closed. */
export function dataChannelEntries(endpointId: string, data: { channels: DataChannelInfo[]; opened: number; closed: number }, now: number): Record<string, StatsEntry> {
  const out: Record<string, StatsEntry> = {};
  for (const channel of data.channels) {
    const id = `${endpointId}_datachannel_${channel.id}`;
    out[id] = statsEntry('RTCDataChannelStats', {
      id,
      type: 'datachannel',
      timestampMillis: now,
      label: channel.label,
      protocol: channel.protocol,
      datachannelid: channel.id,
      state: channel.state,
      messagesSent: channel.messagesSent,
      bytesSent: channel.bytesSent,
      messagesReceived: channel.messagesReceived,
      bytesReceived: channel.bytesReceived,
    });
  }
  const id = `${endpointId}_session`;
  out[id] = statsEntry('RTCPeerConnectionStats', { id, type: 'session', timestampMillis: now, dataChannelsOpened: data.opened, dataChannelsClosed: data.closed });
  return out;
}
