// Generated from the schema by packages/client/scripts/exports.ts (npm run codegen): do not edit.
import { proxyClasses } from '../objects/proxyClasses.js';
import type { ComplexValue, EnumValue, RemoteObject } from '../types.js';

// Remote classes: each export is the proxy class (for instanceof) and the type of its proxies.
export const MediaObject = proxyClasses.MediaObject;
export type MediaObject = RemoteObject<'MediaObject'>;
export const ServerManager = proxyClasses.ServerManager;
export type ServerManager = RemoteObject<'ServerManager'>;
export const MediaPipeline = proxyClasses.MediaPipeline;
export type MediaPipeline = RemoteObject<'MediaPipeline'>;
export const MediaElement = proxyClasses.MediaElement;
export type MediaElement = RemoteObject<'MediaElement'>;
export const PassThrough = proxyClasses.PassThrough;
export type PassThrough = RemoteObject<'PassThrough'>;
export const Endpoint = proxyClasses.Endpoint;
export type Endpoint = RemoteObject<'Endpoint'>;
export const SessionEndpoint = proxyClasses.SessionEndpoint;
export type SessionEndpoint = RemoteObject<'SessionEndpoint'>;
export const SdpEndpoint = proxyClasses.SdpEndpoint;
export type SdpEndpoint = RemoteObject<'SdpEndpoint'>;
export const BaseRtpEndpoint = proxyClasses.BaseRtpEndpoint;
export type BaseRtpEndpoint = RemoteObject<'BaseRtpEndpoint'>;
export const WebRtcEndpoint = proxyClasses.WebRtcEndpoint;
export type WebRtcEndpoint = RemoteObject<'WebRtcEndpoint'>;
export const UriEndpoint = proxyClasses.UriEndpoint;
export type UriEndpoint = RemoteObject<'UriEndpoint'>;
export const RecorderEndpoint = proxyClasses.RecorderEndpoint;
export type RecorderEndpoint = RemoteObject<'RecorderEndpoint'>;
export const PlayerEndpoint = proxyClasses.PlayerEndpoint;
export type PlayerEndpoint = RemoteObject<'PlayerEndpoint'>;
export const RtpEndpoint = proxyClasses.RtpEndpoint;
export type RtpEndpoint = RemoteObject<'RtpEndpoint'>;

// Complex values as the client returns them (and, minus `readonly`, as it takes them).
export type Tag = ComplexValue<'Tag'>;
export type ElementConnectionData = ComplexValue<'ElementConnectionData'>;
export type ModuleInfo = ComplexValue<'ModuleInfo'>;
export type ServerInfo = ComplexValue<'ServerInfo'>;
export type IceCandidate = ComplexValue<'IceCandidate'>;
export type IceCandidatePair = ComplexValue<'IceCandidatePair'>;
export type IceConnection = ComplexValue<'IceConnection'>;
export type OfferOptions = ComplexValue<'OfferOptions'>;
export type VideoInfo = ComplexValue<'VideoInfo'>;
export type SDES = ComplexValue<'SDES'>;
export type DtlsConnection = ComplexValue<'DtlsConnection'>;
export type RembParams = ComplexValue<'RembParams'>;
export type MediaLatencyStat = ComplexValue<'MediaLatencyStat'>;
export type ElementStats = ComplexValue<'ElementStats'>;
export type EndpointStats = ComplexValue<'EndpointStats'>;
export type RTCInboundRTPStreamStats = ComplexValue<'RTCInboundRTPStreamStats'>;
export type RTCOutboundRTPStreamStats = ComplexValue<'RTCOutboundRTPStreamStats'>;
export type RTCPeerConnectionStats = ComplexValue<'RTCPeerConnectionStats'>;
export type RTCDataChannelStats = ComplexValue<'RTCDataChannelStats'>;
export type RTCTransportStats = ComplexValue<'RTCTransportStats'>;
export type RTCIceCandidateAttributes = ComplexValue<'RTCIceCandidateAttributes'>;
export type RTCIceCandidatePairStats = ComplexValue<'RTCIceCandidatePairStats'>;
export type ResourceBudget = ComplexValue<'ResourceBudget'>;

// Enums: the values each takes.
export type MediaType = EnumValue<'MediaType'>;
export type MediaState = EnumValue<'MediaState'>;
export type ConnectionState = EnumValue<'ConnectionState'>;
export type MediaFlowState = EnumValue<'MediaFlowState'>;
export type MediaTranscodingState = EnumValue<'MediaTranscodingState'>;
export type IceComponentState = EnumValue<'IceComponentState'>;
export type ServerType = EnumValue<'ServerType'>;
export type CertificateKeyType = EnumValue<'CertificateKeyType'>;
export type CryptoSuite = EnumValue<'CryptoSuite'>;
export type UriEndpointState = EnumValue<'UriEndpointState'>;
export type MediaProfileSpecType = EnumValue<'MediaProfileSpecType'>;
export type DtlsConnectionState = EnumValue<'DtlsConnectionState'>;
export type RTCDataChannelState = EnumValue<'RTCDataChannelState'>;
export type RTCStatsIceCandidateType = EnumValue<'RTCStatsIceCandidateType'>;
export type RTCStatsIceCandidatePairState = EnumValue<'RTCStatsIceCandidatePairState'>;
export type StatsType = EnumValue<'StatsType'>;
