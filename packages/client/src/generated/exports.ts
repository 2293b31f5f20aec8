// Generated from the schema by packages/client/scripts/exports.ts (npm run codegen): do not edit.
import { proxyClasses } from '../objects/proxyClasses.js';
import type { ComplexValue, RemoteObject } from '../types.js';

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

// Complex values as the client returns them (and, minus `readonly`, as it takes them).
export type Tag = ComplexValue<'Tag'>;
export type ElementConnectionData = ComplexValue<'ElementConnectionData'>;
export type ModuleInfo = ComplexValue<'ModuleInfo'>;
export type ServerInfo = ComplexValue<'ServerInfo'>;
export type IceCandidate = ComplexValue<'IceCandidate'>;
export type IceCandidatePair = ComplexValue<'IceCandidatePair'>;
export type IceConnection = ComplexValue<'IceConnection'>;
export type OfferOptions = ComplexValue<'OfferOptions'>;
export type ResourceBudget = ComplexValue<'ResourceBudget'>;
