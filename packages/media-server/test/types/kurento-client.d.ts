/** The little of the official kurento-client 7.3.0 (untyped JS) that the tests use. */
declare module 'kurento-client' {
  export interface KurentoEvent { [key: string]: unknown }
  export interface MediaObject {
    id: string;
    release(): Promise<void>;
    on(event: string, listener: (event: KurentoEvent) => void): void;
    getName(): Promise<string>;
    setName(name: string): Promise<void>;
  }
  export interface MediaElement extends MediaObject {
    connect(sink: MediaElement, mediaType?: string): Promise<void>;
    getSinkConnections(): Promise<{ source: MediaElement; sink: MediaElement; type: string }[]>;
    isMediaFlowingIn(mediaType: string): Promise<boolean>;
    getStats(mediaType?: string): Promise<Record<string, Record<string, unknown>>>;
  }
  export interface WebRtcEndpoint extends MediaElement {
    processOffer(offer: string): Promise<string>;
    gatherCandidates(): Promise<void>;
    addIceCandidate(candidate: unknown): Promise<void>;
    requestKeyframe(): Promise<void>;
    getDtlsConnectionState(): Promise<Record<string, unknown>[]>;
    setRembParams(params: unknown): Promise<void>;
    getRembParams(): Promise<Record<string, unknown>>;
  }
  export interface MediaPipeline extends MediaObject {
    create(type: 'WebRtcEndpoint', params?: Record<string, unknown>): Promise<WebRtcEndpoint>;
    create(type: string, params?: Record<string, unknown>): Promise<MediaElement>;
    setLatencyStats(enabled: boolean): Promise<void>;
  }
  export interface ServerManager extends MediaObject {
    getPipelines(): Promise<MediaPipeline[]>;
    getInfo(): Promise<{ version: string; modules: { name: string }[] }>;
  }
  export interface KurentoClientInstance {
    create(type: 'MediaPipeline'): Promise<MediaPipeline>;
    getServerManager(): Promise<ServerManager>;
    getMediaobjectById(id: string): Promise<MediaObject>;
    close(): void;
  }
  export interface KurentoClientFactory {
    (url: string, options?: Record<string, unknown>): Promise<KurentoClientInstance>;
    getComplexType(name: 'IceCandidate' | 'RembParams'): (init: Record<string, unknown>) => unknown;
  }
  const kurentoClient: KurentoClientFactory;
  export default kurentoClient;
}
