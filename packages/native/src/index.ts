/** @kurento-ts/native: the optional native fast path (see README.md). */
export { nativeBinding, nativeStatus, requireNative, NATIVE_ENV, type NativeStatus, type UdpSocketStats } from './binding.js';
export { NativeSrtpSession, NATIVE_SRTP_PROFILES, SrtpReject, type NativeSrtpOptions, type NativeSrtpProfile, type SrtpProfileSizes } from './srtp.js';
export { NativeUdpSocket, DatagramKind, LANE_TARGETS, type LaneBooks, type LaneSinkBooks, type LaneTarget, type NativeUdpSocketOptions } from './udp.js';
export { FastPathCell, FlowCell, NackCell, OutboundCell, RingCell, ringSlotsLayout, StatsCell, TwccCell, WireCell } from './ledgers.js';
export { invalidateLanes, LANE_CELLS, laneCell, laneEpoch } from './lanes.js';
export { NativeUdpTransport, type MediaHandler, type NativeUdpTransportOptions, type TransportAddress } from './transport.js';
export { DTLS_MTU, NativeDtlsContext, NativeDtlsSession, type DtlsSessionInfo, type DtlsState, type DtlsStep } from './dtls.js';
