/**
 * Kurento's SdpEndpoint: the offer/answer state machine every SDP-negotiated endpoint shares
 * (WebRtcEndpoint today, RtpEndpoint next). Negotiation steps run one at a time on the
 * endpoint's queue; the transport behind them is the subclass's.
 */
import { KurentoError, type ErrorName } from '@kurento-ts/protocol';
import { SerialQueue } from '../../support/SerialQueue.js';
import type { MediaKind } from '../../types/media.js';
import type { Args, Remote } from '../contract.js';
import { MediaElement } from '../MediaElement.js';

/** Where the negotiation stands. */
type Negotiation = 'none' | 'offer-generated' | 'answered' | 'offer-processed';

export abstract class SdpEndpoint extends MediaElement implements Remote<'SdpEndpoint'> {
  /** State-changing operations of this endpoint, one at a time. */
  protected readonly queue = new SerialQueue();
  /** Where the negotiation stands. */
  protected negotiation: Negotiation = 'none';
  /** The remote description as the client gave it. */
  private remoteSdp = '';
  /** Kurento's receive bandwidth properties (kept for the API; the peer's own estimate governs the rate). */
  private readonly recvBandwidth = { maxAudioRecvBandwidth: 0, maxVideoRecvBandwidth: 0 };

  // ---- remote interface: SdpEndpoint ----

  generateOffer({ options = {} }: Args<'SdpEndpoint', 'generateOffer'>): Promise<string> {
    return this.negotiationStep(async () => {
      if (this.negotiation !== 'none') throw new KurentoError('SDP_END_POINT_ALREADY_NEGOTIATED', 'Endpoint already negotiated');
      const kinds: MediaKind[] = [];
      if (options.offerToReceiveAudio !== false) kinds.push('audio');
      if (options.offerToReceiveVideo !== false) kinds.push('video');
      if (kinds.length === 0) throw new KurentoError('SDP_END_POINT_GENERATE_OFFER_ERROR', 'An offer needs audio or video');
      const offer = await failingAs('SDP_END_POINT_GENERATE_OFFER_ERROR', 'Cannot generate offer', () => this.createOffer(kinds));
      this.negotiation = 'offer-generated';
      return this.presentLocal(offer);
    });
  }

  processOffer({ offer }: Args<'SdpEndpoint', 'processOffer'>): Promise<string> {
    return this.negotiationStep(async () => {
      if (this.negotiation !== 'none') throw new KurentoError('SDP_END_POINT_ALREADY_NEGOTIATED', 'Endpoint already negotiated');
      this.checkRemote(offer, 'SDP_END_POINT_PROCESS_OFFER_ERROR');
      const answer = await failingAs('SDP_END_POINT_PROCESS_OFFER_ERROR', 'Cannot process offer', () => this.answerOffer(offer));
      this.negotiation = 'offer-processed';
      this.remoteSdp = offer;
      await this.afterRemoteDescription();
      this.negotiated();
      return this.presentLocal(answer);
    });
  }

  processAnswer({ answer }: Args<'SdpEndpoint', 'processAnswer'>): Promise<string> {
    return this.negotiationStep(async () => {
      if (this.negotiation === 'answered') throw new KurentoError('SDP_END_POINT_ANSWER_ALREADY_PROCCESED', 'Answer already processed');
      if (this.negotiation !== 'offer-generated') throw new KurentoError('SDP_END_POINT_NOT_OFFER_GENERATED', 'No offer was generated');
      this.checkRemote(answer, 'SDP_END_POINT_PROCESS_ANSWER_ERROR');
      const local = await failingAs('SDP_END_POINT_PROCESS_ANSWER_ERROR', 'Cannot process answer', () => this.applyAnswer(answer));
      this.negotiation = 'answered';
      this.remoteSdp = answer;
      await this.afterRemoteDescription();
      this.negotiated();
      return this.presentLocal(local);
    });
  }

  /**
   * Runs a negotiation step in the queue. An endpoint released before its turn, or while it ran,
   * answers 40101 and keeps nothing (the step may have opened sockets after the release closed the
   * transport: they are closed again).
   */
  private negotiationStep(step: () => Promise<string>): Promise<string> {
    const gone = (): KurentoError => new KurentoError('MEDIA_OBJECT_NOT_FOUND', `${this.className} ${this.id} was released during the negotiation`);
    return this.queue.run(async () => {
      if (this.released) throw gone();
      try {
        const sdp = await step();
        if (!this.released) return sdp;
      } catch (e) {
        if (!this.released) throw e;
      }
      this.closeTransport();
      throw gone();
    });
  }

  getLocalSessionDescriptor(): string {
    const sdp = this.localSdp();
    if (!sdp) throw new KurentoError('SDP_END_POINT_NO_LOCAL_SDP_ERROR', 'No local SDP yet');
    return this.presentLocal(sdp);
  }

  getRemoteSessionDescriptor(): string {
    if (!this.remoteSdp) throw new KurentoError('SDP_END_POINT_NO_REMOTE_SDP_ERROR', 'No remote SDP yet');
    return this.remoteSdp;
  }

  getMaxAudioRecvBandwidth(): number {
    return this.recvBandwidth.maxAudioRecvBandwidth;
  }

  setMaxAudioRecvBandwidth(value: number): void {
    this.recvBandwidth.maxAudioRecvBandwidth = value;
  }

  getMaxVideoRecvBandwidth(): number {
    return this.recvBandwidth.maxVideoRecvBandwidth;
  }

  setMaxVideoRecvBandwidth(value: number): void {
    this.recvBandwidth.maxVideoRecvBandwidth = value;
  }

  // ---- the transport's part ----

  /** Closes the transport, if any, and gives its sockets back (idempotent). */
  protected abstract closeTransport(): void;
  /** Validates a remote SDP before the transport sees it; throws a Kurento error of `errorType`. */
  protected abstract checkRemote(sdp: string, errorType: ErrorName): void;
  /** Applies a remote offer; returns the local answer. */
  protected abstract answerOffer(offer: string): Promise<string>;
  /** Creates a local offer with these kinds of media. */
  protected abstract createOffer(kinds: readonly MediaKind[]): Promise<string>;
  /** Applies the remote answer to our offer; returns the local description. */
  protected abstract applyAnswer(answer: string): Promise<string>;
  /** The local description so far, if any. */
  protected abstract localSdp(): string | undefined;
  /** Both descriptions are set: publish what was negotiated. */
  protected abstract negotiated(): void;

  /** The local SDP as the client gets it (WebRTC holds candidates back until gatherCandidates). */
  protected presentLocal(sdp: string): string {
    return sdp;
  }

  /** Runs once the remote description is applied, before `negotiated` (e.g. early ICE candidates). */
  protected async afterRemoteDescription(): Promise<void> {
    // nothing by default
  }
}

/** Runs a transport step, turning its failure into a Kurento error of `type`. */
async function failingAs<T>(type: ErrorName, what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    if (e instanceof KurentoError) throw e;
    throw new KurentoError(type, `${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
