/**
 * What both load clients' sessions share: sender state advanced by the traffic scheduler, the
 * packets of a video frame or an audio tick, the echo's tag read into the meter, local candidates
 * kept for the signalling, and the wait for the connection. Subclasses send the packets and
 * bring the connection up (node-datachannel; werift with native media).
 */
import type { EchoMeter } from './echoMeter.js';
import { asksForKeyframe, isRtcp, type RtpWriter, tagOffset, tagSendTime, tagSession } from './rtpPackets.js';

/** A local ICE candidate as the signalling layers want it (no "a=" prefix). */
export interface LocalCandidate {
  candidate: string;
  sdpMid: string;
  sdpMLineIndex: number;
}

export type SessionState = 'new' | 'connected' | 'failed';

export abstract class LoadSessionBase {
  state: SessionState = 'new';
  /** performance.now() when the offer was ready, the answer was applied, the connection came up, the first echo came. */
  offerAt = Number.NaN;
  answerAt = Number.NaN;
  connectedAt = Number.NaN;
  firstEchoAt = Number.NaN;
  // Sender state, advanced by the traffic scheduler.
  audioSequence = 1;
  videoSequence = 1;
  audioTimestamp = 0;
  videoTimestamp = 0;
  transportSequence = 1;
  nextVideoAt = Number.NaN;
  nextAudioAt = Number.NaN;
  abstract readonly ssrcAudio: number;
  abstract readonly ssrcVideo: number;

  /** The next video frame is a keyframe: the stream's first, or one the server asked for (as a browser's encoder does). */
  private keyframeWanted = true;
  private readonly localCandidates: LocalCandidate[] = [];
  private candidateListener: ((c: LocalCandidate) => void) | undefined;

  constructor(
    readonly index: number,
    protected readonly meter: EchoMeter,
  ) {}

  /** Local candidates: those found so far at once, later ones as they come. */
  onLocalCandidate(listener: (c: LocalCandidate) => void): void {
    this.candidateListener = listener;
    for (const c of this.localCandidates) listener(c);
  }

  /** Local candidates found so far. */
  candidates(): readonly LocalCandidate[] {
    return this.localCandidates;
  }

  /** Hot path: one video frame of `packets` packets (a keyframe first, and after a PLI or FIR). */
  sendVideoFrame(writer: RtpWriter, packets: number, timestampStep: number, nowMs: number): void {
    this.videoTimestamp = (this.videoTimestamp + timestampStep) >>> 0;
    const keyframe = this.keyframeWanted;
    this.keyframeWanted = false;
    for (let k = 0; k < packets; k++) {
      const packet = writer.write({
        ssrc: this.ssrcVideo,
        sequence: this.videoSequence++,
        timestamp: this.videoTimestamp,
        marker: k === packets - 1,
        transportSequence: this.transportSequence++,
        frameStart: k === 0,
        keyframe,
        sendTimeMs: nowMs,
        session: this.index,
      });
      this.sendPacket('video', packet, k, nowMs);
    }
    this.endBurst();
  }

  /** Hot path: one audio packet. */
  sendAudio(writer: RtpWriter, timestampStep: number, nowMs: number): void {
    this.audioTimestamp = (this.audioTimestamp + timestampStep) >>> 0;
    const packet = writer.write({
      ssrc: this.ssrcAudio,
      sequence: this.audioSequence++,
      timestamp: this.audioTimestamp,
      marker: false,
      transportSequence: this.transportSequence++,
      frameStart: true,
      keyframe: false,
      sendTimeMs: nowMs,
      session: this.index,
    });
    this.sendPacket('audio', packet, 0, nowMs);
    this.endBurst();
  }

  /** Hot path: sends packet `k` of a burst (the writer's buffer: copy it before the next write). Counts it sent when it was. */
  protected abstract sendPacket(kind: 'audio' | 'video', packet: Buffer, k: number, nowMs: number): void;

  /** The end of a frame's or tick's packets (a batched sender sends them now). */
  protected endBurst(): void {}

  /** A local candidate found: kept, and given to the signalling when it listens. */
  protected addLocalCandidate(c: LocalCandidate): void {
    this.localCandidates.push(c);
    this.candidateListener?.(c);
  }

  /** Hot path: a plain RTP or RTCP packet from the server. */
  protected onPacket(packet: Buffer): void {
    if (isRtcp(packet)) {
      this.meter.rtcpReceived++;
      if (asksForKeyframe(packet)) this.keyframeWanted = true;
      return;
    }
    const offset = tagOffset(packet);
    if (offset < 0) return;
    const now = performance.now();
    if (tagSession(packet, offset) !== this.index) this.meter.misrouted++;
    if (Number.isNaN(this.firstEchoAt)) this.firstEchoAt = now;
    this.meter.onEcho(tagSendTime(packet, offset), now);
  }

  /** Resolves once `settled` says connected, or throws why not (failed, or `timeoutMs` passed; `where` describes the state). */
  protected async settle(settled: Promise<SessionState>, timeoutMs: number, where: () => string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const state = await Promise.race([settled, timeout]);
    clearTimeout(timer);
    if (state === 'connected') return;
    this.state = 'failed';
    throw new Error(state === 'timeout' ? `not connected after ${timeoutMs} ms (${where()})` : `connection failed (${where()})`);
  }
}
