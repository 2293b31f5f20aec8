/**
 * Compile-time tests, checked by `npx tsc -p packages/client` and never run. Each
 * `@ts-expect-error` line must fail to compile (tsc reports an unused directive otherwise), and
 * the `Expect<Equal<...>>` lines pin what the schema-derived types are.
 */
import type {
  ClassOf, ElementConnectionData, EventNameOf, EventPayload, IceCandidate, KurentoClient, MediaElement, MediaObject, MediaPipeline,
  OperationArgs, OperationName, PassThrough, ServerInfo, ServerManager, Stats, Transaction, TxRef, WebRtcEndpoint,
} from '../src/index.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

declare const kurento: KurentoClient;
declare const pipeline: MediaPipeline;
declare const ep: WebRtcEndpoint;
declare const pt: PassThrough;
declare const element: MediaElement;
declare const manager: ServerManager;
declare const tx: Transaction;

export async function typeChecks(): Promise<void> {
  // ---- create: class names, constructor params, properties ----
  const p: MediaPipeline = await kurento.create('MediaPipeline');
  const w: WebRtcEndpoint = await pipeline.create('WebRtcEndpoint', { recvonly: true, certificateKeyType: 'ECDSA' }, { name: 'x', stunServerPort: 3478 });
  const q: PassThrough = await kurento.create('PassThrough', { mediaPipeline: pipeline });
  // @ts-expect-error: no such class
  await kurento.create('WebRtcEndpiont');
  // @ts-expect-error: abstract classes cannot be created
  await kurento.create('MediaElement', { mediaPipeline: pipeline });
  // @ts-expect-error: an element needs its pipeline
  await kurento.create('WebRtcEndpoint');
  // @ts-expect-error: a pipeline is not created in a pipeline
  await pipeline.create('MediaPipeline');
  // @ts-expect-error: wrong constructor param type
  await pipeline.create('WebRtcEndpoint', { recvonly: 'yes' });
  // @ts-expect-error: not a constructor param
  await pipeline.create('WebRtcEndpoint', { recvOnly: true });
  // @ts-expect-error: enum values are checked
  await pipeline.create('WebRtcEndpoint', { certificateKeyType: 'DSA' });
  // @ts-expect-error: read-only properties cannot be given at creation
  await pipeline.create('WebRtcEndpoint', {}, { mediaState: 'CONNECTED' });
  // @ts-expect-error: the pipeline must be a pipeline
  await kurento.create('PassThrough', { mediaPipeline: pt });

  // ---- methods and properties ----
  type _offer = Expect<Equal<Awaited<ReturnType<WebRtcEndpoint['processOffer']>>, string>>;
  type _connect = Expect<Equal<OperationArgs<'MediaElement', 'connect'>, [MediaElement, ('AUDIO' | 'DATA' | 'VIDEO')?, string?, string?]>>;
  type _conn = Expect<Equal<ElementConnectionData, { source: MediaElement; sink: MediaElement; type: 'AUDIO' | 'DATA' | 'VIDEO'; sourceDescription: string; sinkDescription: string }>>;
  type _children = Expect<Equal<Awaited<ReturnType<MediaObject['getChildren']>>, MediaObject[]>>;
  type _parent = Expect<Equal<Awaited<ReturnType<WebRtcEndpoint['getMediaPipeline']>>, MediaPipeline | undefined>>;
  type _info = Expect<Equal<Awaited<ReturnType<ServerManager['getInfo']>>, ServerInfo>>;
  type _stats = Expect<Equal<Awaited<ReturnType<PassThrough['getStats']>>, { [id: string]: Stats }>>;
  type _ops = Expect<Equal<Extract<OperationName<'PassThrough'>, `set${string}`>, 'setName' | 'setSendTagsInEvents' | 'setEncoderBitrate' | 'setMinEncoderBitrate' | 'setMaxEncoderBitrate'>>;
  await ep.connect(pt, 'VIDEO', 'default', 'default');
  await ep.connect(ep);
  const candidate: IceCandidate = { candidate: 'candidate:1 1 UDP 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
  await ep.addIceCandidate(candidate);
  await ep.setName('caller');
  const icePairs = await ep.getICECandidatePairs();
  // @ts-expect-error: wrong param type
  await ep.processOffer(42);
  // @ts-expect-error: missing required param
  await ep.processOffer();
  // @ts-expect-error: too many params
  await ep.gatherCandidates(true);
  // @ts-expect-error: no such method
  await ep.processOfer('v=0');
  // @ts-expect-error: PassThrough is no SdpEndpoint
  await pt.generateOffer();
  // @ts-expect-error: a pipeline is no sink
  await ep.connect(pipeline);
  // @ts-expect-error: enum values are checked
  await ep.connect(pt, 'SOUND');
  // @ts-expect-error: read-only property: no setter
  await ep.setMediaState('CONNECTED');
  // @ts-expect-error: wrong property type
  await ep.setMtu('1200');
  // @ts-expect-error: complex values need their required fields
  await ep.addIceCandidate({ candidate: 'candidate:1' });
  // @ts-expect-error: complex field types are checked
  await ep.generateOffer({ offerToReceiveVideo: 1 });
  // @ts-expect-error: results are typed
  const wrong: number = await ep.getName();
  // @ts-expect-error: ServerManager methods are not everyone's
  await pipeline.getKmd('core');
  await manager.getUsedCpu(100);

  // ---- the hierarchy: subclasses are accepted where ancestors are expected, not the reverse ----
  const asElement: MediaElement = ep;
  const asObject: MediaObject = pipeline;
  // @ts-expect-error: a MediaElement is not necessarily a WebRtcEndpoint
  const narrowed: WebRtcEndpoint = element;
  // @ts-expect-error: unrelated classes
  const unrelated: MediaElement = manager;

  // ---- events ----
  type _events = Expect<Equal<EventNameOf<'PassThrough'>, 'Error' | 'ElementConnected' | 'ElementDisconnected' | 'MediaFlowOutStateChanged' | 'MediaFlowInStateChanged' | 'MediaTranscodingStateChanged'>>;
  type _ice = Expect<Equal<EventPayload<'IceCandidateFound'>, { source: MediaObject; tags: { key: string; value: string }[]; timestampMillis: string; type: 'IceCandidateFound'; candidate: IceCandidate }>>;
  type _error = Expect<Equal<EventPayload<'Error'>['type'], string>>;
  await ep.on('IceCandidateFound', (event) => {
    const text: string = event.candidate.candidate;
    const index: number = event.candidate.sdpMLineIndex;
    // @ts-expect-error: no such payload field
    void event.candidate.foundation;
    // @ts-expect-error: payload field types are checked
    const asNumber: number = event.candidate.sdpMid;
    void [text, index, asNumber];
  });
  await ep.on('ConnectionStateChanged', (event) => {
    const state: 'CONNECTED' | 'DISCONNECTED' = event.newState;
    // @ts-expect-error: the payload is that event's, not another's
    void event.candidate;
    void state;
  });
  const gathered: EventPayload<'IceGatheringDone'> = await ep.once('IceGatheringDone');
  await pt.once('ElementConnected', (event) => void (event.sink satisfies MediaElement));
  // @ts-expect-error: no such event
  await ep.on('IceCandidateFond', () => undefined);
  // @ts-expect-error: PassThrough has no ICE events
  await pt.on('IceCandidateFound', () => undefined);
  // @ts-expect-error: the listener must take that event's payload
  await ep.on('IceGatheringDone', (event: EventPayload<'IceCandidateFound'>) => void event);
  // @ts-expect-error: client events are checked too
  kurento.on('reconected', () => undefined);
  kurento.on('sessionLost', ({ sessionId, error }) => void [sessionId satisfies string, error.code satisfies number]);

  // ---- transactions ----
  const tp = tx.create('MediaPipeline');
  const te: TxRef<'WebRtcEndpoint'> = tx.create('WebRtcEndpoint', { mediaPipeline: tp });
  type _classOf = Expect<Equal<ClassOf<typeof te>, 'WebRtcEndpoint'>>;
  const name: Promise<string> = tx.invoke(te, 'getName');
  const offer: Promise<string> = tx.invoke(ep, 'processOffer', 'v=0');
  await tx.invoke(te, 'connect', ep);
  await tx.invoke(ep, 'connect', te);
  // @ts-expect-error: not an operation of the class
  tx.invoke(te, 'getKmd', 'core');
  // @ts-expect-error: operation args are checked
  tx.invoke(te, 'setName', 1);
  // @ts-expect-error: a WebRtcEndpoint reference is no pipeline
  tx.create('PassThrough', { mediaPipeline: te });
  // @ts-expect-error: references only exist inside transactions
  await ep.connect(te);

  void [p, w, q, icePairs, wrong, asElement, asObject, narrowed, unrelated, gathered, name, offer];
}
