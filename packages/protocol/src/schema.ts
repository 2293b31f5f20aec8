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
  CryptoSuite: ['AES_128_CM_HMAC_SHA1_32', 'AES_128_CM_HMAC_SHA1_80', 'AES_256_CM_HMAC_SHA1_32', 'AES_256_CM_HMAC_SHA1_80'],
  UriEndpointState: ['STOP', 'START', 'PAUSE'],
  FilterType: ['AUDIO', 'AUTODETECT', 'VIDEO'],
  MediaProfileSpecType: [
    'WEBM', 'MKV', 'MP4', 'WEBM_VIDEO_ONLY', 'WEBM_AUDIO_ONLY', 'MKV_VIDEO_ONLY', 'MKV_AUDIO_ONLY', 'MP4_VIDEO_ONLY', 'MP4_AUDIO_ONLY',
    'JPEG_VIDEO_ONLY', 'KURENTO_SPLIT_RECORDER', 'FLV',
  ],
  DtlsConnectionState: ['NEW', 'CLOSED', 'FAILED', 'CONNECTING', 'CONNECTED'],
  RTCDataChannelState: ['connecting', 'open', 'closing', 'closed'],
  RTCStatsIceCandidateType: ['host', 'serverreflexive', 'peerreflexive', 'relayed'],
  RTCStatsIceCandidatePairState: ['frozen', 'waiting', 'inprogress', 'failed', 'succeeded', 'cancelled'],
  StatsType: [
    'inboundrtp', 'outboundrtp', 'session', 'datachannel', 'track', 'transport', 'candidatepair',
    'localcandidate', 'remotecandidate', 'element', 'endpoint',
  ],
} as const satisfies Record<string, readonly string[]>;

/** Kurento's Stats: what every getStats() entry has (its stats types below spell out their ancestors' fields). */
const statsBase = { id: { type: 'String' }, type: { type: 'StatsType' }, timestampMillis: { type: 'int64' } } as const;
const elementStats = { ...statsBase, inputLatency: { type: 'MediaLatencyStat[]' } } as const;
/** Kurento's RTCRTPStreamStats, the fields inbound and outbound RTP stream stats share. */
const rtpStreamStats = {
  ...statsBase,
  ssrc: { type: 'String' },
  associateStatsId: { type: 'String' },
  isRemote: { type: 'boolean' },
  mediaTrackId: { type: 'String' },
  transportId: { type: 'String' },
  codecId: { type: 'String' },
  firCount: { type: 'int64' },
  pliCount: { type: 'int64' },
  nackCount: { type: 'int64' },
  sliCount: { type: 'int64' },
  remb: { type: 'int64' },
  packetsLost: { type: 'int64' },
  fractionLost: { type: 'double' },
} as const;

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
  VideoInfo: { isSeekable: { type: 'boolean' }, seekableInit: { type: 'int64' }, seekableEnd: { type: 'int64' }, duration: { type: 'int64' } },
  SDES: { key: { type: 'String', optional: opt }, keyBase64: { type: 'String', optional: opt }, crypto: { type: 'CryptoSuite', optional: opt } },
  DtlsConnection: {
    streamId: { type: 'String' },
    componentId: { type: 'String' },
    connectionId: { type: 'String' },
    state: { type: 'DtlsConnectionState' },
  },
  RembParams: {
    packetsRecvIntervalTop: { type: 'int', optional: opt },
    exponentialFactor: { type: 'float', optional: opt },
    linealFactorMin: { type: 'int', optional: opt },
    linealFactorGrade: { type: 'float', optional: opt },
    decrementFactor: { type: 'float', optional: opt },
    thresholdFactor: { type: 'float', optional: opt },
    upLosses: { type: 'int', optional: opt },
    rembOnConnect: { type: 'int', optional: opt },
  },
  MediaLatencyStat: { name: { type: 'String' }, type: { type: 'MediaType' }, avg: { type: 'double' } },
  ElementStats: elementStats,
  EndpointStats: { ...elementStats, E2ELatency: { type: 'MediaLatencyStat[]' } },
  RTCInboundRTPStreamStats: { ...rtpStreamStats, packetsReceived: { type: 'int64' }, bytesReceived: { type: 'int64' }, jitter: { type: 'double' } },
  RTCOutboundRTPStreamStats: {
    ...rtpStreamStats,
    packetsSent: { type: 'int64' },
    bytesSent: { type: 'int64' },
    targetBitrate: { type: 'double' },
    roundTripTime: { type: 'double' },
  },
  RTCPeerConnectionStats: { ...statsBase, dataChannelsOpened: { type: 'int64' }, dataChannelsClosed: { type: 'int64' } },
  RTCDataChannelStats: {
    ...statsBase,
    label: { type: 'String' },
    protocol: { type: 'String' },
    datachannelid: { type: 'int64' },
    state: { type: 'RTCDataChannelState' },
    messagesSent: { type: 'int64' },
    bytesSent: { type: 'int64' },
    messagesReceived: { type: 'int64' },
    bytesReceived: { type: 'int64' },
  },
  RTCTransportStats: {
    ...statsBase,
    bytesSent: { type: 'int64' },
    bytesReceived: { type: 'int64' },
    rtcpTransportStatsId: { type: 'String' },
    activeConnection: { type: 'boolean' },
    selectedCandidatePairId: { type: 'String' },
    localCertificateId: { type: 'String' },
    remoteCertificateId: { type: 'String' },
  },
  RTCIceCandidateAttributes: {
    ...statsBase,
    ipAddress: { type: 'String' },
    portNumber: { type: 'int64' },
    transport: { type: 'String' },
    candidateType: { type: 'RTCStatsIceCandidateType' },
    priority: { type: 'int64' },
    addressSourceUrl: { type: 'String' },
  },
  RTCIceCandidatePairStats: {
    ...statsBase,
    transportId: { type: 'String' },
    localCandidateId: { type: 'String' },
    remoteCandidateId: { type: 'String' },
    state: { type: 'RTCStatsIceCandidatePairState' },
    priority: { type: 'int64' },
    nominated: { type: 'boolean' },
    writable: { type: 'boolean' },
    readable: { type: 'boolean' },
    bytesSent: { type: 'int64' },
    bytesReceived: { type: 'int64' },
    roundTripTime: { type: 'double' },
    availableOutgoingBitrate: { type: 'double' },
    availableIncomingBitrate: { type: 'double' },
  },
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
  OnKeySoftLimit: { mediaType: { type: 'MediaType' } },
  UriEndpointStateChanged: { state: { type: 'UriEndpointState' } },
  CodeFound: { codeType: { type: 'String' }, value: { type: 'String' } },
  Recording: {},
  Paused: {},
  Stopped: {},
  EndOfStream: {},
  DtlsConnectionStateChange: {
    streamId: { type: 'String' },
    componentId: { type: 'String' },
    connectionId: { type: 'String' },
    state: { type: 'DtlsConnectionState' },
  },
  DataChannelOpened: { channelId: { type: 'int' } },
  DataChannelClosed: { channelId: { type: 'int' } },
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
      rembParams: { type: 'RembParams' },
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
      DtlsConnectionState: { type: 'DtlsConnection[]', readOnly: true },
    },
    methods: {
      gatherCandidates: { params: [] },
      addIceCandidate: { params: [{ name: 'candidate', type: 'IceCandidate' }] },
      createDataChannel: {
        params: [
          { name: 'label', type: 'String', optional: opt, default: '' },
          { name: 'ordered', type: 'boolean', optional: opt, default: true },
          { name: 'maxPacketLifeTime', type: 'int', optional: opt, default: -1 },
          { name: 'maxRetransmits', type: 'int', optional: opt, default: -1 },
          { name: 'protocol', type: 'String', optional: opt, default: '' },
        ],
      },
      closeDataChannel: { params: [{ name: 'channelId', type: 'int' }] },
    },
    events: [
      'IceCandidateFound', 'IceGatheringDone', 'IceComponentStateChanged', 'DtlsConnectionStateChange', 'DataChannelOpened',
      'DataChannelClosed', 'NewCandidatePairSelected',
    ],
  },
  Filter: { module: 'core', extends: 'MediaElement', abstract: true },
  GStreamerFilter: {
    module: 'elements',
    extends: 'Filter',
    constructorParams: [
      { name: 'mediaPipeline', type: 'MediaPipeline' },
      { name: 'command', type: 'String' },
      { name: 'filterType', type: 'FilterType', optional: opt, default: 'AUTODETECT' },
    ],
    properties: { command: { type: 'String', readOnly: true } },
    methods: { setElementProperty: { params: [{ name: 'propertyName', type: 'String' }, { name: 'propertyValue', type: 'String' }] } },
  },
  FaceOverlayFilter: {
    module: 'filters',
    extends: 'Filter',
    constructorParams: [{ name: 'mediaPipeline', type: 'MediaPipeline' }],
    methods: {
      setOverlayedImage: {
        params: [
          { name: 'uri', type: 'String' },
          { name: 'offsetXPercent', type: 'float' },
          { name: 'offsetYPercent', type: 'float' },
          { name: 'widthPercent', type: 'float' },
          { name: 'heightPercent', type: 'float' },
        ],
      },
      unsetOverlayedImage: { params: [] },
    },
  },
  ImageOverlayFilter: {
    module: 'filters',
    extends: 'Filter',
    constructorParams: [{ name: 'mediaPipeline', type: 'MediaPipeline' }],
    methods: {
      addImage: {
        params: [
          { name: 'id', type: 'String' },
          { name: 'uri', type: 'String' },
          { name: 'offsetXPercent', type: 'float' },
          { name: 'offsetYPercent', type: 'float' },
          { name: 'widthPercent', type: 'float' },
          { name: 'heightPercent', type: 'float' },
          { name: 'keepAspectRatio', type: 'boolean' },
          { name: 'center', type: 'boolean' },
        ],
      },
      removeImage: { params: [{ name: 'id', type: 'String' }] },
    },
  },
  ZBarFilter: { module: 'filters', extends: 'Filter', constructorParams: [{ name: 'mediaPipeline', type: 'MediaPipeline' }], events: ['CodeFound'] },
  UriEndpoint: {
    module: 'core',
    extends: 'Endpoint',
    abstract: true,
    properties: { uri: { type: 'String' }, state: { type: 'UriEndpointState', readOnly: true } },
    methods: { pause: { params: [] }, stop: { params: [] } },
    events: ['UriEndpointStateChanged'],
  },
  RecorderEndpoint: {
    module: 'elements',
    extends: 'UriEndpoint',
    constructorParams: [
      { name: 'mediaPipeline', type: 'MediaPipeline' },
      { name: 'uri', type: 'String' },
      { name: 'mediaProfile', type: 'MediaProfileSpecType', optional: opt, default: 'WEBM' },
      { name: 'stopOnEndOfStream', type: 'boolean', optional: opt, default: false },
    ],
    methods: { record: { params: [] }, stopAndWait: { params: [] } },
    events: ['Recording', 'Paused', 'Stopped'],
  },
  PlayerEndpoint: {
    module: 'elements',
    extends: 'UriEndpoint',
    constructorParams: [
      { name: 'mediaPipeline', type: 'MediaPipeline' },
      { name: 'uri', type: 'String' },
      { name: 'useEncodedMedia', type: 'boolean', optional: opt, default: false },
      { name: 'networkCache', type: 'int', optional: opt, default: 2000 },
    ],
    properties: { videoInfo: { type: 'VideoInfo', readOnly: true }, elementGstreamerDot: { type: 'String', readOnly: true }, position: { type: 'int64' } },
    methods: { play: { params: [] } },
    events: ['EndOfStream'],
  },
  HttpEndpoint: {
    module: 'elements',
    extends: 'SessionEndpoint',
    abstract: true,
    methods: { getUrl: { params: [], returns: 'String' } },
  },
  HttpPostEndpoint: {
    module: 'elements',
    extends: 'HttpEndpoint',
    constructorParams: [
      { name: 'mediaPipeline', type: 'MediaPipeline' },
      { name: 'disconnectionTimeout', type: 'int', optional: opt, default: 2 },
      { name: 'useEncodedMedia', type: 'boolean', optional: opt, default: false },
    ],
    events: ['EndOfStream'],
  },
  RtpEndpoint: {
    module: 'elements',
    extends: 'BaseRtpEndpoint',
    constructorParams: [
      { name: 'mediaPipeline', type: 'MediaPipeline' },
      { name: 'crypto', type: 'SDES', optional: opt },
      { name: 'useIpv6', type: 'boolean', optional: opt, default: false },
    ],
    events: ['OnKeySoftLimit'],
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
const elementsTypes: ReadonlySet<string> = new Set([
  'IceCandidate', 'IceCandidatePair', 'IceConnection', 'IceComponentState', 'CertificateKeyType', 'SDES', 'CryptoSuite', 'OnKeySoftLimit',
  'DtlsConnection', 'DtlsConnectionState', 'DtlsConnectionStateChange', 'DataChannelOpened', 'DataChannelClosed',
  'MediaProfileSpecType', 'VideoInfo', 'EndOfStream', 'Recording', 'Paused', 'Stopped',
]);

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
