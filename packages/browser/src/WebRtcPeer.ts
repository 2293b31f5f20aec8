/**
 * WebRtcPeer: one RTCPeerConnection set up the way a Kurento WebRtcEndpoint expects it.
 *
 * Two calling conventions over one implementation: kurento-utils 7's (constructor callback,
 * error-first method callbacks, `this` bound to the peer) and promises (leave the callback out,
 * or use `WebRtcPeer.create`). Only standard APIs: transceivers, `srcObject`, `mediaDevices`;
 * no Plan B translation, no browser sniffing.
 */
import { logError, reportTo, toError } from './callbacks.js';
import { CandidateQueue } from './candidateQueue.js';
import { Emitter } from './events.js';
import { attach, detach, getLocalMedia, wantsKind } from './media.js';
import type { DataChannelConfig, PeerCallback, PeerMode, WebRtcPeerEvents, WebRtcPeerOptions } from './types.js';

/** generateOffer's callback: the offer, then processAnswer for convenience (kurento-utils passed it too). */
export type OfferCallback = PeerCallback<[sdpOffer: string, processAnswer: (sdpAnswer: string, callback?: PeerCallback) => void]>;

/** Data a data channel can send. */
export type DataChannelMessage = string | Blob | ArrayBuffer | ArrayBufferView;

/** kurento-utils' WebRtcPeerSendrecv & co.: callable with or without `new`, plus a promise form. */
export interface WebRtcPeerFactory {
  new (options?: WebRtcPeerOptions | null, callback?: PeerCallback): WebRtcPeer;
  (options?: WebRtcPeerOptions | null, callback?: PeerCallback): WebRtcPeer;
  /** Promise form: resolves once local media is in place. */
  create(options?: WebRtcPeerOptions): Promise<WebRtcPeer>;
  readonly mode: PeerMode;
  readonly prototype: WebRtcPeer;
}

const MODES: readonly PeerMode[] = ['sendrecv', 'sendonly', 'recvonly'];

type PeerClass = new (options?: WebRtcPeerOptions | PeerCallback | null, callback?: PeerCallback) => WebRtcPeer;

/** One subclass per mode, filled in below, so that `instanceof WebRtcPeerSendrecv` means something. */
const subclasses = new Map<PeerMode, PeerClass>();

/** Where the processAnswer handed to generateOffer's callback reports when given no callback (kurento-utils logged). */
const logFailure: PeerCallback = (error) => {
  if (error) logError(error);
};

export class WebRtcPeer extends Emitter<WebRtcPeerEvents> {
  /** kurento-utils' `kurentoUtils.WebRtcPeer.WebRtcPeerSendrecv` path (assigned below). */
  declare static readonly WebRtcPeerSendrecv: WebRtcPeerFactory;
  declare static readonly WebRtcPeerSendonly: WebRtcPeerFactory;
  declare static readonly WebRtcPeerRecvonly: WebRtcPeerFactory;

  readonly mode: PeerMode;
  readonly id: string;
  readonly #options: WebRtcPeerOptions;
  readonly #pc: RTCPeerConnection;
  readonly #candidates: CandidateQueue<RTCIceCandidate>;
  readonly #remoteStream = new MediaStream();
  readonly #ready: Promise<void>;
  #localStream: MediaStream | undefined;
  #dataChannel: RTCDataChannel | undefined;
  /** Local candidates found while nobody listened: the first listener gets them (kurento-utils did so). */
  readonly #unsentCandidates: RTCIceCandidate[] = [];
  #unsentGatheringDone = false;
  #localVideoWasMuted = false;
  #disposed = false;

  /**
   * Promise form of the constructor: resolves with the peer once its local media is in place
   * (camera permission granted), rejects (and disposes of the peer) if that fails.
   */
  static create(mode: PeerMode, options: WebRtcPeerOptions = {}): Promise<WebRtcPeer> {
    const Peer = subclasses.get(mode);
    if (!Peer) return Promise.reject(invalidMode(mode));
    return new Promise((resolve, reject) => {
      const peer: WebRtcPeer = new Peer(options, (error) => {
        if (!error) return resolve(peer);
        peer.dispose();
        reject(error);
      });
    });
  }

  /**
   * Starts right away: creates the peer connection, then (send modes) asks for the camera and
   * microphone unless `videoStream`/`audioStream` are given. `callback(error)` runs when that
   * is done, with `this` = the peer; kurento-utils pages call `this.generateOffer` there.
   * Without a callback, a failure goes to `options.onerror` (default: console.error), and the
   * methods that need local media reject with it.
   */
  constructor(mode: PeerMode, options?: WebRtcPeerOptions | PeerCallback | null, callback?: PeerCallback) {
    super();
    if (!MODES.includes(mode)) throw invalidMode(mode);
    if (typeof options === 'function') [options, callback] = [undefined, options]; // kurento-utils allowed (mode, callback)
    this.mode = mode;
    this.#options = { ...options };
    this.id = this.#options.id ?? randomId();

    const pc = (this.#pc = this.#options.peerConnection ?? new RTCPeerConnection(this.#options.configuration));
    this.#candidates = new CandidateQueue((c) => pc.addIceCandidate(c), () => pc.remoteDescription !== null);
    // Every setRemoteDescription changes the signaling state: the moment queued candidates can go in.
    pc.addEventListener('signalingstatechange', () => this.#candidates.flush());
    pc.addEventListener('icecandidate', (event) => this.#onLocalCandidate(event.candidate));
    pc.addEventListener('track', (event) => this.#onRemoteTrack(event));
    const { onicecandidate, oncandidategatheringdone, ontrack, dataChannels, dataChannelConfig } = this.#options;
    if (ontrack) pc.addEventListener('track', ontrack);
    if (onicecandidate) this.on('icecandidate', onicecandidate);
    if (oncandidategatheringdone) this.on('candidategatheringdone', oncandidategatheringdone);
    if (dataChannels) this.#dataChannel = this.#openDataChannel(dataChannelConfig ?? {});

    this.#ready = this.#start();
    if (callback) {
      reportTo(this, callback, this.#ready.then((): [] => []));
    } else {
      this.#ready.catch((error: unknown) => {
        if (!this.#disposed) (this.#options.onerror ?? logError)(toError(error));
      });
    }
  }

  // ---- state ----

  get peerConnection(): RTCPeerConnection {
    return this.#pc;
  }

  /** Settles when local media is in place (what the constructor callback reports). */
  get ready(): Promise<void> {
    return this.#ready;
  }

  get localVideo(): HTMLVideoElement | undefined {
    return this.#options.localVideo ?? undefined;
  }

  get remoteVideo(): HTMLVideoElement | undefined {
    return this.#options.remoteVideo ?? undefined;
  }

  get dataChannel(): RTCDataChannel | undefined {
    return this.#dataChannel;
  }

  /** Whether dispose has been called. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /** The media this peer sends (undefined for recvonly peers and before the camera is granted). */
  getLocalStream(): MediaStream | undefined {
    return this.#localStream;
  }

  /** The media this peer receives; tracks are added as they are negotiated. */
  getRemoteStream(): MediaStream {
    return this.#remoteStream;
  }

  getLocalSessionDescriptor(): RTCSessionDescription | null {
    return this.#pc.localDescription;
  }

  getRemoteSessionDescriptor(): RTCSessionDescription | null {
    return this.#pc.remoteDescription;
  }

  /** Whether every local audio track is enabled (undefined without any); set to mute or unmute. */
  get audioEnabled(): boolean | undefined {
    return allEnabled(this.#localTracks('audio'));
  }

  set audioEnabled(value: boolean) {
    for (const track of this.#localTracks('audio')) track.enabled = value;
  }

  /** Whether every local video track is enabled (undefined without any); set to hide or show. */
  get videoEnabled(): boolean | undefined {
    return allEnabled(this.#localTracks('video'));
  }

  set videoEnabled(value: boolean) {
    for (const track of this.#localTracks('video')) track.enabled = value;
  }

  /** Whether every local track is enabled (undefined without any). */
  get enabled(): boolean | undefined {
    return allEnabled(this.#localTracks());
  }

  set enabled(value: boolean) {
    for (const track of this.#localTracks()) track.enabled = value;
  }

  /** A snapshot of the remote video, as a canvas (undefined without a remoteVideo element). */
  get currentFrame(): HTMLCanvasElement | undefined {
    const video = this.#options.remoteVideo;
    if (!video) return undefined;
    if (video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA) throw new Error('No video stream data available');
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d')?.drawImage(video, 0, 0);
    return canvas;
  }

  // ---- negotiation ----

  /** Creates the SDP offer for the media server's `processOffer`, and applies it locally. */
  generateOffer(): Promise<string>;
  generateOffer(callback: OfferCallback): void;
  generateOffer(callback?: OfferCallback): Promise<string> | void {
    const work = this.#generateOffer();
    if (!callback) return work;
    const processAnswer = (sdpAnswer: string, done?: PeerCallback): void => this.processAnswer(sdpAnswer, done ?? logFailure);
    reportTo(this, callback, work.then((sdp): [string, typeof processAnswer] => [sdp, processAnswer]));
  }

  /** Applies the media server's SDP answer; ICE candidates queued until now are then applied. */
  processAnswer(sdpAnswer: string): Promise<void>;
  processAnswer(sdpAnswer: string, callback: PeerCallback): void;
  processAnswer(sdpAnswer: string, callback?: PeerCallback): Promise<void> | void {
    const work = this.#processAnswer(sdpAnswer);
    if (!callback) return work;
    reportTo(this, callback, work.then((): [] => []));
  }

  /** Answers an SDP offer made by the media server (its `generateOffer`). */
  processOffer(sdpOffer: string): Promise<string>;
  processOffer(sdpOffer: string, callback: PeerCallback<[sdpAnswer: string]>): void;
  processOffer(sdpOffer: string, callback?: PeerCallback<[sdpAnswer: string]>): Promise<string> | void {
    const work = this.#processOffer(sdpOffer);
    if (!callback) return work;
    reportTo(this, callback, work.then((sdp): [string] => [sdp]));
  }

  /**
   * Adds a remote candidate (the media server's IceCandidateFound). Before the remote
   * description is set, it is queued, and the callback or promise settles once it is applied.
   */
  addIceCandidate(candidate: RTCIceCandidateInit): Promise<void>;
  addIceCandidate(candidate: RTCIceCandidateInit, callback: PeerCallback): void;
  addIceCandidate(candidate: RTCIceCandidateInit, callback?: PeerCallback): Promise<void> | void {
    const work = this.#addIceCandidate(candidate);
    if (!callback) return work;
    reportTo(this, callback, work.then((): [] => []));
  }

  /** Sends on the data channel (`dataChannels: true`); warns, as kurento-utils did, if it is not open. */
  send(data: DataChannelMessage): void {
    const channel = this.#dataChannel;
    if (channel?.readyState !== 'open') {
      console.warn('[kurento-utils] send: no open data channel');
      return;
    }
    channel.send(data as string); // one overload per type in lib.dom; the browser takes them all
  }

  /** Shows the local media in `localVideo`, muted (done automatically once media is in place). */
  showLocalVideo(): void {
    const video = this.#options.localVideo;
    if (!video || !this.#localStream || video.srcObject === this.#localStream) return;
    this.#localVideoWasMuted = video.muted;
    video.muted = true; // never play our own microphone back
    attach(video, this.#localStream);
  }

  /**
   * Frees everything: stops every local track (given streams included), closes the data
   * channel and the peer connection, detaches the video elements, fails queued candidates,
   * removes listeners. Media that arrives later (a pending camera request) is stopped on
   * arrival. Safe to call twice.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#candidates.close(new Error('WebRtcPeer disposed'));
    for (const track of this.#localTracks()) track.stop();
    this.#pc.close(); // closes the data channel too
    this.#dataChannel?.close();
    const localVideo = this.#options.localVideo;
    if (this.#localStream && localVideo?.srcObject === this.#localStream) {
      detach(localVideo, this.#localStream);
      localVideo.muted = this.#localVideoWasMuted;
    }
    detach(this.#options.remoteVideo, this.#remoteStream);
    this.removeAllListeners();
  }

  override on<E extends keyof WebRtcPeerEvents>(event: E, listener: WebRtcPeerEvents[E]): this {
    super.on(event, listener);
    if (event === 'icecandidate') {
      for (const candidate of this.#unsentCandidates.splice(0)) this.emit('icecandidate', candidate);
    } else if (event === 'candidategatheringdone' && this.#unsentGatheringDone) {
      this.#unsentGatheringDone = false;
      this.emit('candidategatheringdone');
    }
    return this;
  }

  // ---- internals ----

  async #start(): Promise<void> {
    // A recvonly peer has no local media; its transceivers come with the offer.
    if (this.mode === 'recvonly') return;
    const { videoStream, audioStream, sendSource = 'webcam', mediaConstraints } = this.#options;
    let sources = [videoStream, audioStream].filter((s): s is MediaStream => s != null);
    if (sources.length === 0) {
      const stream = await getLocalMedia(sendSource, mediaConstraints);
      // Disposed while the user was being asked: this media was never ours to keep.
      if (this.#disposed) for (const track of stream.getTracks()) track.stop();
      sources = [stream];
    }
    this.#assertOpen();
    for (const stream of sources) {
      for (const track of stream.getTracks()) {
        // addTrack, not addTransceiver: a remote offer (processOffer) can then reuse these transceivers.
        const sender = this.#pc.addTrack(track, stream);
        const transceiver = this.#pc.getTransceivers().find((t) => t.sender === sender);
        if (transceiver && this.mode === 'sendonly') transceiver.direction = 'sendonly';
      }
    }
    this.#localStream = sources.length === 1 ? sources[0] : new MediaStream(sources.flatMap((s) => s.getTracks()));
    this.showLocalVideo();
  }

  async #generateOffer(): Promise<string> {
    await this.#ready;
    this.#assertOpen();
    if (this.mode === 'recvonly') {
      for (const kind of ['audio', 'video'] as const) {
        const present = this.#pc.getTransceivers().some((t) => t.receiver.track.kind === kind);
        if (!present && wantsKind(this.#options.mediaConstraints, kind)) this.#pc.addTransceiver(kind, { direction: 'recvonly' });
      }
    }
    const offer = await this.#pc.createOffer();
    await this.#pc.setLocalDescription(offer);
    return this.#localSdp();
  }

  async #processAnswer(sdp: string): Promise<void> {
    this.#assertOpen();
    await this.#pc.setRemoteDescription({ type: 'answer', sdp });
  }

  async #processOffer(sdp: string): Promise<string> {
    await this.#ready;
    this.#assertOpen();
    await this.#pc.setRemoteDescription({ type: 'offer', sdp });
    if (this.mode === 'sendonly') {
      // Transceivers the offer created have nothing to send, and a sendonly peer receives nothing.
      for (const t of this.#pc.getTransceivers()) if (!t.sender.track && t.direction !== 'stopped') t.direction = 'inactive';
    }
    const answer = await this.#pc.createAnswer();
    await this.#pc.setLocalDescription(answer);
    return this.#localSdp();
  }

  async #addIceCandidate(init: RTCIceCandidateInit): Promise<void> {
    this.#assertOpen();
    // Validates now (TypeError without sdpMid and sdpMLineIndex) and drops foreign fields such as __type__.
    return this.#candidates.add(new RTCIceCandidate(init));
  }

  #onLocalCandidate(candidate: RTCIceCandidate | null): void {
    if (candidate) {
      if (this.listenerCount('icecandidate') > 0) this.emit('icecandidate', candidate);
      else this.#unsentCandidates.push(candidate);
    } else if (this.listenerCount('candidategatheringdone') > 0) {
      this.emit('candidategatheringdone');
    } else {
      this.#unsentGatheringDone = true;
    }
  }

  #onRemoteTrack({ track }: RTCTrackEvent): void {
    if (!this.#remoteStream.getTrackById(track.id)) this.#remoteStream.addTrack(track);
    attach(this.#options.remoteVideo, this.#remoteStream);
  }

  #openDataChannel(config: DataChannelConfig): RTCDataChannel {
    const channel = this.#pc.createDataChannel(config.id ?? `WebRtcPeer-${this.id}`, config.options);
    channel.onopen = config.onopen ?? null;
    channel.onclose = config.onclose ?? null;
    channel.onmessage = config.onmessage ?? null;
    channel.onbufferedamountlow = config.onbufferedamountlow ?? null;
    channel.onerror = config.onerror ?? ((event) => (this.#options.onerror ?? logError)(toError(event.error)));
    return channel;
  }

  /** Every local track: those being sent and those of the given streams. */
  #localTracks(kind?: 'audio' | 'video'): MediaStreamTrack[] {
    const tracks = new Set<MediaStreamTrack>();
    for (const sender of this.#pc.getSenders()) if (sender.track) tracks.add(sender.track);
    for (const stream of [this.#localStream, this.#options.videoStream, this.#options.audioStream]) {
      for (const track of stream?.getTracks() ?? []) tracks.add(track);
    }
    return [...tracks].filter((t) => kind === undefined || t.kind === kind);
  }

  #localSdp(): string {
    const description = this.#pc.localDescription;
    if (!description) throw new Error('No local description');
    return description.sdp;
  }

  #assertOpen(): void {
    if (this.#disposed) throw new Error('WebRtcPeer disposed');
    if (this.#pc.signalingState === 'closed') throw new Error('The peer connection is closed');
  }
}

function invalidMode(mode: unknown): TypeError {
  return new TypeError(`WebRtcPeer mode must be sendrecv, sendonly or recvonly, not ${String(mode)}`);
}

function allEnabled(tracks: readonly MediaStreamTrack[]): boolean | undefined {
  return tracks.length === 0 ? undefined : tracks.every((t) => t.enabled);
}

/** crypto.randomUUID exists only in secure contexts; a recvonly page may not be one. */
function randomId(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

function factory(mode: PeerMode, name: string): WebRtcPeerFactory {
  const Peer = class extends WebRtcPeer {
    constructor(options?: WebRtcPeerOptions | PeerCallback | null, callback?: PeerCallback) {
      super(mode, options, callback);
    }
  };
  Object.defineProperty(Peer, 'name', { value: name });
  subclasses.set(mode, Peer);
  // A plain function, so that pages may call it without `new` as kurento-utils allowed; with
  // `new`, the object it returns is the result. Its prototype makes `instanceof` work.
  function make(options?: WebRtcPeerOptions | null, callback?: PeerCallback): WebRtcPeer {
    return new Peer(options, callback);
  }
  make.prototype = Peer.prototype;
  Object.defineProperty(make, 'name', { value: name });
  return Object.assign(make, { mode, create: (options?: WebRtcPeerOptions) => WebRtcPeer.create(mode, options) }) as unknown as WebRtcPeerFactory;
}

export const WebRtcPeerSendrecv = factory('sendrecv', 'WebRtcPeerSendrecv');
export const WebRtcPeerSendonly = factory('sendonly', 'WebRtcPeerSendonly');
export const WebRtcPeerRecvonly = factory('recvonly', 'WebRtcPeerRecvonly');
Object.assign(WebRtcPeer, { WebRtcPeerSendrecv, WebRtcPeerSendonly, WebRtcPeerRecvonly });
