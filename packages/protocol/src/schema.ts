/**
 * Our description of Kurento's remote classes: the one hand-written contract.
 *
 * The server derives dispatch and parameter validation from it, and the client SDK derives its
 * types from it. It states facts of Kurento's interface (class names, parameters, types,
 * events), written in our own form; only the classes this server implements are listed.
 * Type names are Kurento's: `String`, `int`, `int64`, `float`, `double`, `boolean`, an enum or
 * complex type name, a remote class name, any of them followed by `[]` for a list, or
 * `Stats<>` for a map of stats by id.
 */
import type { CreatableClass } from './schemaTypes.js';

/** A parameter of a constructor or method. */
export interface ParamSpec {
  readonly name: string;
  readonly type: string;
  readonly optional?: boolean;
  readonly default?: string | number | boolean;
}

/** A remote method: its parameters in order, and what it returns (nothing when absent). */
export interface MethodSpec {
  readonly params: readonly ParamSpec[];
  readonly returns?: string;
}

/** A remote property: read with `getX`, written with `setX` unless read-only. */
export interface PropertySpec {
  readonly type: string;
  readonly readOnly?: boolean;
}

/** The Kurento modules a class, type or event belongs to (`getInfo` lists each with its factories). */
export type ModuleName = 'core' | 'elements' | 'filters';

/** A remote class. */
export interface ClassSpec {
  /** The module that declares the class. */
  readonly module: ModuleName;
  readonly extends?: string;
  readonly abstract?: boolean;
  readonly constructorParams?: readonly ParamSpec[];
  readonly properties?: Readonly<Record<string, PropertySpec>>;
  readonly methods?: Readonly<Record<string, MethodSpec>>;
  readonly events?: readonly string[];
}

/** A field of a complex type or event. */
export interface FieldSpec {
  readonly type: string;
  readonly optional?: boolean;
}

const opt = true;

export const enums = {
  MediaType: ['AUDIO', 'DATA', 'VIDEO'],
  MediaState: ['DISCONNECTED', 'CONNECTED'],
  ConnectionState: ['DISCONNECTED', 'CONNECTED'],
  MediaFlowState: ['FLOWING', 'NOT_FLOWING'],
  MediaTranscodingState: ['TRANSCODING', 'NOT_TRANSCODING'],
  IceComponentState: ['DISCONNECTED', 'GATHERING', 'CONNECTING', 'CONNECTED', 'READY', 'FAILED'],
  ServerType: ['KMS', 'KCS'],
  CertificateKeyType: ['RSA', 'ECDSA'],
  StatsType: [
    'inboundrtp', 'outboundrtp', 'session', 'datachannel', 'track', 'transport', 'candidatepair',
    'localcandidate', 'remotecandidate', 'element', 'endpoint',
  ],
} as const satisfies Record<string, readonly string[]>;

export const complexTypes = {
  Tag: { key: { type: 'String' }, value: { type: 'String' } },
  ElementConnectionData: {
    source: { type: 'MediaElement' },
    sink: { type: 'MediaElement' },
    type: { type: 'MediaType' },
    sourceDescription: { type: 'String' },
    sinkDescription: { type: 'String' },
  },
  ModuleInfo: {
    version: { type: 'String' },
    name: { type: 'String' },
    generationTime: { type: 'String' },
    factories: { type: 'String[]' },
  },
  ServerInfo: {
    version: { type: 'String' },
    modules: { type: 'ModuleInfo[]' },
    type: { type: 'ServerType' },
    capabilities: { type: 'String[]' },
  },
  IceCandidate: { candidate: { type: 'String' }, sdpMid: { type: 'String' }, sdpMLineIndex: { type: 'int' } },
  IceCandidatePair: {
    streamId: { type: 'String' },
    componentId: { type: 'int' },
    localCandidate: { type: 'String' },
    remoteCandidate: { type: 'String' },
  },
  IceConnection: { streamId: { type: 'String' }, componentId: { type: 'int' }, state: { type: 'IceComponentState' } },
  OfferOptions: { offerToReceiveAudio: { type: 'boolean', optional: opt }, offerToReceiveVideo: { type: 'boolean', optional: opt } },
  /** Ours, not Kurento's: one of the server's budgets (its option's name, e.g. maxEndpoints), its use now, and the budget (0: no limit). */
  ResourceBudget: { budget: { type: 'String' }, used: { type: 'int' }, limit: { type: 'int' } },
} as const satisfies Record<string, Record<string, FieldSpec>>;

/** Fields every event carries besides its own (Kurento's RaiseBase + Media). */
export const baseEventFields = {
  source: { type: 'MediaObject' },
  tags: { type: 'Tag[]' },
  timestampMillis: { type: 'String' },
  type: { type: 'String' },
} as const satisfies Record<string, FieldSpec>;

export const events = {
  Error: { description: { type: 'String' }, errorCode: { type: 'int' }, type: { type: 'String' } },
  ObjectCreated: { object: { type: 'MediaObject' } },
  ObjectDestroyed: { objectId: { type: 'String' } },
  ElementConnected: {
    sink: { type: 'MediaElement' },
    mediaType: { type: 'MediaType' },
    sourceMediaDescription: { type: 'String' },
    sinkMediaDescription: { type: 'String' },
  },
  ElementDisconnected: {
    sink: { type: 'MediaElement' },
    mediaType: { type: 'MediaType' },
    sourceMediaDescription: { type: 'String' },
    sinkMediaDescription: { type: 'String' },
  },
  MediaFlowInStateChanged: { state: { type: 'MediaFlowState' }, padName: { type: 'String' }, mediaType: { type: 'MediaType' } },
  MediaFlowOutStateChanged: { state: { type: 'MediaFlowState' }, padName: { type: 'String' }, mediaType: { type: 'MediaType' } },
  MediaTranscodingStateChanged: {
    state: { type: 'MediaTranscodingState' },
    binName: { type: 'String' },
    mediaType: { type: 'MediaType' },
  },
  MediaSessionStarted: {},
  MediaSessionTerminated: {},
  MediaStateChanged: { oldState: { type: 'MediaState' }, newState: { type: 'MediaState' } },
  ConnectionStateChanged: { oldState: { type: 'ConnectionState' }, newState: { type: 'ConnectionState' } },
  IceCandidateFound: { candidate: { type: 'IceCandidate' } },
  IceGatheringDone: {},
  IceComponentStateChanged: { streamId: { type: 'int' }, componentId: { type: 'int' }, state: { type: 'IceComponentState' } },
  NewCandidatePairSelected: { candidatePair: { type: 'IceCandidatePair' } },
} as const satisfies Record<string, Record<string, FieldSpec>>;

const mediaTypeAndDescription = [
  { name: 'mediaType', type: 'MediaType', optional: opt },
  { name: 'description', type: 'String', optional: opt },
] as const;
const connectParams = [
  { name: 'sink', type: 'MediaElement' },
  { name: 'mediaType', type: 'MediaType', optional: opt },
  { name: 'sourceMediaDescription', type: 'String', optional: opt },
  { name: 'sinkMediaDescription', type: 'String', optional: opt },
] as const;

export const remoteClasses = {
  MediaObject: {
    module: 'core',
    abstract: true,
    properties: {
      mediaPipeline: { type: 'MediaPipeline', readOnly: true },
      parent: { type: 'MediaObject', readOnly: true },
      id: { type: 'String', readOnly: true },
      children: { type: 'MediaObject[]', readOnly: true },
      name: { type: 'String' },
      sendTagsInEvents: { type: 'boolean' },
      creationTime: { type: 'int', readOnly: true },
    },
    methods: {
      addTag: { params: [{ name: 'key', type: 'String' }, { name: 'value', type: 'String' }] },
      removeTag: { params: [{ name: 'key', type: 'String' }] },
      getTag: { params: [{ name: 'key', type: 'String' }], returns: 'String' },
      getTags: { params: [], returns: 'Tag[]' },
    },
    events: ['Error'],
  },
  ServerManager: {
    module: 'core',
    extends: 'MediaObject',
    abstract: true,
    properties: {
      info: { type: 'ServerInfo', readOnly: true },
      pipelines: { type: 'MediaPipeline[]', readOnly: true },
      sessions: { type: 'String[]', readOnly: true },
      metadata: { type: 'String', readOnly: true },
      budgets: { type: 'ResourceBudget[]', readOnly: true },
    },
    methods: {
      getKmd: { params: [{ name: 'moduleName', type: 'String' }], returns: 'String' },
      getCpuCount: { params: [], returns: 'int' },
      getUsedCpu: { params: [{ name: 'interval', type: 'int' }], returns: 'float' },
      getUsedMemory: { params: [], returns: 'int64' },
    },
    events: ['ObjectCreated', 'ObjectDestroyed'],
  },
  MediaPipeline: {
    module: 'core',
    extends: 'MediaObject',
    constructorParams: [],
    properties: { latencyStats: { type: 'boolean' } },
    methods: {},
  },
  MediaElement: {
    module: 'core',
    extends: 'MediaObject',
    abstract: true,
    properties: {
      encoderBitrate: { type: 'int' },
      minEncoderBitrate: { type: 'int' },
      maxEncoderBitrate: { type: 'int' },
    },
    methods: {
      getSourceConnections: { params: mediaTypeAndDescription, returns: 'ElementConnectionData[]' },
      getSinkConnections: { params: mediaTypeAndDescription, returns: 'ElementConnectionData[]' },
      connect: { params: connectParams },
      disconnect: { params: connectParams },
      getStats: { params: [{ name: 'mediaType', type: 'MediaType', optional: opt }], returns: 'Stats<>' },
      isMediaFlowingIn: {
        params: [{ name: 'mediaType', type: 'MediaType' }, { name: 'sinkMediaDescription', type: 'String', optional: opt, default: 'default' }],
        returns: 'boolean',
      },
      isMediaFlowingOut: {
        params: [{ name: 'mediaType', type: 'MediaType' }, { name: 'sourceMediaDescription', type: 'String', optional: opt, default: 'default' }],
        returns: 'boolean',
      },
      isMediaTranscoding: {
        params: [{ name: 'mediaType', type: 'MediaType' }, { name: 'binName', type: 'String', optional: opt, default: 'default' }],
        returns: 'boolean',
      },
    },
    events: [
      'ElementConnected', 'ElementDisconnected', 'MediaFlowOutStateChanged', 'MediaFlowInStateChanged',
      'MediaTranscodingStateChanged',
    ],
  },
  PassThrough: {
    module: 'elements',
    extends: 'MediaElement',
    constructorParams: [{ name: 'mediaPipeline', type: 'MediaPipeline' }],
  },
  Endpoint: { module: 'core', extends: 'MediaElement', abstract: true },
  SessionEndpoint: { module: 'core', extends: 'Endpoint', abstract: true, events: ['MediaSessionTerminated', 'MediaSessionStarted'] },
  SdpEndpoint: {
    module: 'core',
    extends: 'SessionEndpoint',
    abstract: true,
    properties: { maxAudioRecvBandwidth: { type: 'int' }, maxVideoRecvBandwidth: { type: 'int' } },
    methods: {
      generateOffer: { params: [{ name: 'options', type: 'OfferOptions', optional: opt }], returns: 'String' },
      processOffer: { params: [{ name: 'offer', type: 'String' }], returns: 'String' },
      processAnswer: { params: [{ name: 'answer', type: 'String' }], returns: 'String' },
      getLocalSessionDescriptor: { params: [], returns: 'String' },
      getRemoteSessionDescriptor: { params: [], returns: 'String' },
    },
  },
  BaseRtpEndpoint: {
    module: 'core',
    extends: 'SdpEndpoint',
    abstract: true,
    properties: {
      minVideoRecvBandwidth: { type: 'int' },
      minVideoSendBandwidth: { type: 'int' },
      maxVideoSendBandwidth: { type: 'int' },
      mediaState: { type: 'MediaState', readOnly: true },
      connectionState: { type: 'ConnectionState', readOnly: true },
      mtu: { type: 'int' },
    },
    methods: { requestKeyframe: { params: [] } },
    events: ['MediaStateChanged', 'ConnectionStateChanged'],
  },
  WebRtcEndpoint: {
    module: 'elements',
    extends: 'BaseRtpEndpoint',
    constructorParams: [
      { name: 'mediaPipeline', type: 'MediaPipeline' },
      { name: 'recvonly', type: 'boolean', optional: opt, default: false },
      { name: 'sendonly', type: 'boolean', optional: opt, default: false },
      { name: 'useDataChannels', type: 'boolean', optional: opt, default: false },
      { name: 'certificateKeyType', type: 'CertificateKeyType', optional: opt, default: 'RSA' },
    ],
    properties: {
      networkInterfaces: { type: 'String' },
      iceTcp: { type: 'boolean' },
      stunServerAddress: { type: 'String' },
      stunServerPort: { type: 'int' },
      turnUrl: { type: 'String' },
      externalIPv4: { type: 'String' },
      externalIPv6: { type: 'String' },
      ICECandidatePairs: { type: 'IceCandidatePair[]', readOnly: true },
      IceConnectionState: { type: 'IceConnection[]', readOnly: true },
    },
    methods: {
      gatherCandidates: { params: [] },
      addIceCandidate: { params: [{ name: 'candidate', type: 'IceCandidate' }] },
    },
    events: ['IceCandidateFound', 'IceGatheringDone', 'IceComponentStateChanged', 'NewCandidatePairSelected'],
  },
} as const satisfies Record<string, ClassSpec>;

/** The name of a remote class. */
export type ClassName = keyof typeof remoteClasses;
/** The name of an enum type. */
export type EnumName = keyof typeof enums;
/** The name of a complex type. */
export type ComplexTypeName = keyof typeof complexTypes;
/** The name of an event. */
export type EventName = keyof typeof events;
/** A media type of the protocol. */
export type MediaType = (typeof enums.MediaType)[number];

/** Complex types and enums of the elements module (the others are core's). */
const elementsTypes: ReadonlySet<string> = new Set(['IceCandidate', 'IceCandidatePair', 'IceConnection', 'IceComponentState', 'CertificateKeyType']);

/** The module a class, type or event belongs to. */
export function moduleOf(name: string): ModuleName {
  if (isClassName(name)) return (remoteClasses[name] as ClassSpec).module;
  return elementsTypes.has(name) ? 'elements' : 'core';
}

/** Whether `name` names a remote class. */
export function isClassName(name: string): name is ClassName {
  return Object.hasOwn(remoteClasses, name);
}

/** Whether `name` names a class that can be created (not abstract). */
export function isCreatable(name: string): name is CreatableClass {
  return isClassName(name) && (remoteClasses[name] as ClassSpec).abstract !== true;
}

/** The class and its ancestors, most derived first (e.g. WebRtcEndpoint, BaseRtpEndpoint, ...). */
export function lineage(name: ClassName): ClassName[] {
  const out: ClassName[] = [];
  let current: string | undefined = name;
  while (current !== undefined && isClassName(current)) {
    out.push(current);
    const spec: ClassSpec = remoteClasses[current];
    current = spec.extends;
  }
  return out;
}

/** Whether class `name` is `ancestor` or derives from it. */
export function isA(name: ClassName, ancestor: string): boolean {
  return lineage(name).includes(ancestor as ClassName);
}

/** Finds a method by name in a class or its ancestors. */
export function findMethod(name: ClassName, method: string): MethodSpec | undefined {
  for (const cls of lineage(name)) {
    const methods: Readonly<Record<string, MethodSpec>> | undefined = (remoteClasses[cls] as ClassSpec).methods;
    if (methods && Object.hasOwn(methods, method)) return methods[method];
  }
  return undefined;
}

/** Finds a property by name in a class or its ancestors. */
export function findProperty(name: ClassName, property: string): PropertySpec | undefined {
  for (const cls of lineage(name)) {
    const props: Readonly<Record<string, PropertySpec>> | undefined = (remoteClasses[cls] as ClassSpec).properties;
    if (props && Object.hasOwn(props, property)) return props[property];
  }
  return undefined;
}

/** Whether objects of class `name` can emit `event`. */
export function supportsEvent(name: ClassName, event: string): boolean {
  return lineage(name).some((cls) => ((remoteClasses[cls] as ClassSpec).events ?? []).includes(event));
}
