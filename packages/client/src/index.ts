/**
 * @kurento-ts/client: a typed, promise-only client for the Kurento Protocol.
 *
 * Proxy classes exist for every remote class of the schema; each export below is both a value
 * (usable with `instanceof`) and the type of its proxies.
 */
import { proxyClasses } from './objects/proxyClasses.js';
import type { ComplexValue, RemoteObject } from './types.js';

export { KurentoClient, type ClientState, type KurentoClientEvents } from './KurentoClient.js';
export type { KurentoClientOptions } from './options.js';
export type { ReconnectPolicy } from './rpc/ReconnectingSocket.js';
export { Transaction, TxRef, type TxTarget } from './Transaction.js';
export { ClientErrorType, ConnectionError, KurentoClientError, RequestTimeoutError } from './errors.js';
export { RemoteObjectBase } from './objects/RemoteObjectBase.js';
export { proxyClasses, type ProxyClass } from './objects/proxyClasses.js';
export type { PipelineFactory, ElementParams } from './objects/pipelineFactory.js';
export type * from './types.js';

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

// Complex values as the client returns them (and, minus `readonly`, as it takes them).
export type Tag = ComplexValue<'Tag'>;
export type ElementConnectionData = ComplexValue<'ElementConnectionData'>;
export type ModuleInfo = ComplexValue<'ModuleInfo'>;
export type ServerInfo = ComplexValue<'ServerInfo'>;
export type IceCandidate = ComplexValue<'IceCandidate'>;
export type IceCandidatePair = ComplexValue<'IceCandidatePair'>;
export type IceConnection = ComplexValue<'IceConnection'>;
export type OfferOptions = ComplexValue<'OfferOptions'>;
