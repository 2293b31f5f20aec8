/**
 * One load session: a node-datachannel (libdatachannel) peer connection offering Opus and VP8
 * like a browser does, sending synthetic RTP when asked and counting the echo. Signalling is
 * the target's business: it takes the offer and the local candidates, and gives back the
 * answer and the remote candidates.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Audio, PeerConnection, type Track, Video } from 'node-datachannel';
import type { EchoMeter } from './echoMeter.js';
import { asksForKeyframe, EXTENSION_IDS, EXTENSION_URIS, isRtcp, type RtpWriter, tagOffset, tagSendTime, tagSession } from './rtpPackets.js';

export const AUDIO_PT = 111;
export const VIDEO_PT = 96;
export const AUDIO_MID = '0';
export const VIDEO_MID = '1';

/** A local ICE candidate as the signalling layers want it (no "a=" prefix). */
export interface LocalCandidate {
  candidate: string;
  sdpMid: string;
  sdpMLineIndex: number;
}

export type SessionState = 'new' | 'connected' | 'failed';

export class NdcSession {
  readonly ssrcAudio = randomBytes(4).readUInt32BE(0);
  readonly ssrcVideo = randomBytes(4).readUInt32BE(0);
  state: SessionState = 'new';
  /** performance.now() when the offer was ready, the connection came up, the first echo came. */
  offerAt = Number.NaN;
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

  private readonly pc: PeerConnection;
  private readonly audio: Track;
  private readonly video: Track;
  private readonly localCandidates: LocalCandidate[] = [];
  private candidateListener: ((c: LocalCandidate) => void) | undefined;
  private readonly pendingRemote: { candidate: string; mid: string }[] = [];
  private haveAnswer = false;
  private closed = false;
  /** The next video frame is a keyframe: the stream's first, or one the server asked for. */
  private keyframeWanted = true;
  private readonly offerReady: Promise<string>;
  private readonly gathered: Promise<void>;
  private readonly settled: Promise<SessionState>;

  constructor(
    readonly index: number,
    private readonly meter: EchoMeter,
  ) {
    this.pc = new PeerConnection(`bench-${index}`, { iceServers: [] });
    const audio = new Audio(AUDIO_MID, 'SendRecv');
    audio.addOpusCodec(AUDIO_PT);
    audio.parseSdpLine(`a=rtcp-fb:${AUDIO_PT} transport-cc`);
    const video = new Video(VIDEO_MID, 'SendRecv');
    video.addVP8Codec(VIDEO_PT);
    for (const fb of ['goog-remb', 'transport-cc', 'ccm fir', 'nack', 'nack pli']) video.parseSdpLine(`a=rtcp-fb:${VIDEO_PT} ${fb}`);
    for (const media of [audio, video]) {
      media.parseSdpLine(`a=extmap:${EXTENSION_IDS.mid} ${EXTENSION_URIS.mid}`);
      media.parseSdpLine(`a=extmap:${EXTENSION_IDS.absSendTime} ${EXTENSION_URIS.absSendTime}`);
      media.parseSdpLine(`a=extmap:${EXTENSION_IDS.transportCc} ${EXTENSION_URIS.transportCc}`);
    }
    const cname = randomUUID();
    const msid = randomUUID();
    audio.addSSRC(this.ssrcAudio, cname, msid, randomUUID());
    video.addSSRC(this.ssrcVideo, cname, msid, randomUUID());
    this.audio = this.pc.addTrack(audio);
    this.video = this.pc.addTrack(video);
    this.audio.onMessage((m) => this.onPacket(m));
    this.video.onMessage((m) => this.onPacket(m));

    // Candidates may come before the description (libdatachannel does that): keep them all.
    this.pc.onLocalCandidate((candidate, mid) => {
      const c: LocalCandidate = { candidate: candidate.replace(/^a=/, ''), sdpMid: mid, sdpMLineIndex: mid === VIDEO_MID ? 1 : 0 };
      this.localCandidates.push(c);
      this.candidateListener?.(c);
    });
    this.offerReady = new Promise((resolve) => {
      this.pc.onLocalDescription((sdp, type) => {
        if (type !== 'offer') return;
        this.offerAt = performance.now();
        resolve(sdp);
      });
    });
    this.gathered = new Promise((resolve) => this.pc.onGatheringStateChange((s) => s === 'complete' && resolve()));
    this.settled = new Promise((resolve) => {
      this.pc.onStateChange((s) => {
        if (this.state !== 'new') return;
        if (s === 'connected') {
          this.state = 'connected';
          this.connectedAt = performance.now();
          resolve('connected');
        } else if (s === 'failed' || s === 'closed') {
          this.state = 'failed';
          resolve('failed');
        }
      });
    });
  }

  /** Creates the offer; resolves with its SDP. */
  createOffer(): Promise<string> {
    this.pc.setLocalDescription();
    return this.offerReady;
  }

  /** Resolves when ICE gathering is complete (all local candidates known). */
  gatheringComplete(): Promise<void> {
    return this.gathered;
  }

  /** Local candidates: those found so far at once, later ones as they come. */
  onLocalCandidate(listener: (c: LocalCandidate) => void): void {
    this.candidateListener = listener;
    for (const c of this.localCandidates) listener(c);
  }

  /** Local candidates found so far. */
  candidates(): readonly LocalCandidate[] {
    return this.localCandidates;
  }

  setAnswer(sdp: string): void {
    this.pc.setRemoteDescription(sdp, 'answer');
    this.haveAnswer = true;
    for (const c of this.pendingRemote.splice(0)) this.pc.addRemoteCandidate(c.candidate, c.mid);
  }

  /** A remote candidate; held until the answer is applied, as a browser would need. */
  addRemoteCandidate(candidate: string, mid: string): void {
    if (this.closed) return;
    if (this.haveAnswer) this.pc.addRemoteCandidate(candidate, mid);
    else this.pendingRemote.push({ candidate, mid });
  }

  /** Resolves 'connected', or throws why not (failed, or still not connected after `timeoutMs`). */
  async waitConnected(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const state = await Promise.race([this.settled, timeout]);
    clearTimeout(timer);
    if (state === 'connected') return;
    this.state = 'failed';
    const where = `ICE ${this.pc.iceState()}, peer connection ${this.pc.state()}, gathering ${this.pc.gatheringState()}`;
    throw new Error(state === 'timeout' ? `not connected after ${timeoutMs} ms (${where})` : `connection failed (${where})`);
  }

  /** Hot path: one video frame of `packets` packets (a keyframe first, and after a PLI or FIR, as a browser does). */
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
      this.send(this.video, packet, nowMs);
    }
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
    this.send(this.audio, packet, nowMs);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.pc.close();
    } catch {
      // already closed by the native side
    }
  }

  private send(track: Track, packet: Buffer, nowMs: number): void {
    if (this.closed) return;
    try {
      // false means the track is not open yet: the packet was not sent, so it is not counted.
      if (track.sendMessageBinary(packet)) this.meter.onSent(nowMs);
    } catch {
      // the transport went away under us; the session's echoes will show it
    }
  }

  /** Hot path: an RTP or RTCP packet from the server. */
  private onPacket(packet: Buffer): void {
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
}
