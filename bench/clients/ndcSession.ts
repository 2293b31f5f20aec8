/**
 * One load session: a node-datachannel (libdatachannel) peer connection offering Opus and VP8
 * like a browser does, sending synthetic RTP when asked and counting the echo. Signalling is
 * the target's business: it takes the offer and the local candidates, and gives back the
 * answer and the remote candidates.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Audio, PeerConnection, type Track, Video } from 'node-datachannel';
import type { EchoMeter } from './echoMeter.js';
import { LoadSessionBase, type LocalCandidate, type SessionState } from './loadSessionBase.js';
import { EXTENSION_IDS, EXTENSION_URIS } from './rtpPackets.js';

export type { LocalCandidate, SessionState } from './loadSessionBase.js';

export const AUDIO_PT = 111;
export const VIDEO_PT = 96;
export const AUDIO_MID = '0';
export const VIDEO_MID = '1';

export class NdcSession extends LoadSessionBase {
  readonly ssrcAudio = randomBytes(4).readUInt32BE(0);
  readonly ssrcVideo = randomBytes(4).readUInt32BE(0);

  private readonly pc: PeerConnection;
  private readonly audio: Track;
  private readonly video: Track;
  private readonly pendingRemote: { candidate: string; mid: string }[] = [];
  private haveAnswer = false;
  private closed = false;
  private readonly offerReady: Promise<string>;
  private readonly gathered: Promise<void>;
  private readonly settled: Promise<SessionState>;

  constructor(index: number, meter: EchoMeter) {
    super(index, meter);
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
      this.addLocalCandidate(c);
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

  setAnswer(sdp: string): void {
    this.answerAt = performance.now();
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
  waitConnected(timeoutMs: number): Promise<void> {
    return this.settle(this.settled, timeoutMs, () => `ICE ${this.pc.iceState()}, peer connection ${this.pc.state()}, gathering ${this.pc.gatheringState()}`);
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

  protected sendPacket(kind: 'audio' | 'video', packet: Buffer, _k: number, nowMs: number): void {
    if (this.closed) return;
    try {
      // false means the track is not open yet: the packet was not sent, so it is not counted.
      if ((kind === 'video' ? this.video : this.audio).sendMessageBinary(packet)) this.meter.onSent(nowMs);
    } catch {
      // the transport went away under us; the session's echoes will show it
    }
  }
}
