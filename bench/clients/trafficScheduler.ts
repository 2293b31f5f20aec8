/**
 * Sends every connected session's media at a steady rate: video frames at `fps`, audio packets
 * at `audioPps`. Sessions get random phases so the load is spread over each frame interval, as
 * independent browsers would spread it, instead of one burst per timer tick. A timer fires every
 * few ms and sends what is due; when the client falls more than `maxLagMs` behind (its own core
 * is saturated) it skips ahead and counts the skipped packets, so the report shows it rather
 * than sending a burst that the servers would be blamed for.
 */
import type { EchoMeter } from './echoMeter.js';
import type { LoadSession } from './loadSession.js';
import { RtpWriter } from './rtpPackets.js';
import { AUDIO_MID, AUDIO_PT, VIDEO_MID, VIDEO_PT } from './ndcSession.js';

export interface TrafficOptions {
  /** Video bit rate per session, kbit/s (RTP size, before SRTP). */
  videoKbps: number;
  fps: number;
  /** Video RTP packet size in bytes. */
  videoPacketBytes: number;
  audioPps: number;
  audioPacketBytes: number;
}

export const DEFAULT_TRAFFIC: TrafficOptions = { videoKbps: 1500, fps: 30, videoPacketBytes: 1200, audioPps: 50, audioPacketBytes: 148 };

const TICK_MS = 4;
const VIDEO_CLOCK = 90_000;
const AUDIO_CLOCK = 48_000;

export class TrafficScheduler {
  readonly packetsPerFrame: number;
  private readonly sessions: LoadSession[] = [];
  private readonly video: RtpWriter;
  private readonly audio: RtpWriter;
  private readonly frameMs: number;
  private readonly audioMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: TrafficOptions,
    private readonly meter: EchoMeter,
    private readonly maxLagMs = 200,
  ) {
    this.packetsPerFrame = Math.max(1, Math.round((options.videoKbps * 1000) / 8 / options.fps / options.videoPacketBytes));
    this.frameMs = 1000 / options.fps;
    this.audioMs = 1000 / options.audioPps;
    this.video = new RtpWriter({ payloadType: VIDEO_PT, packetBytes: options.videoPacketBytes, mid: VIDEO_MID, kind: 'video' });
    this.audio = new RtpWriter({ payloadType: AUDIO_PT, packetBytes: options.audioPacketBytes, mid: AUDIO_MID, kind: 'audio' });
  }

  /** RTP packets per second one session sends (audio + video). */
  get packetsPerSecondPerSession(): number {
    return this.packetsPerFrame * this.options.fps + this.options.audioPps;
  }

  /** Starts sending for a session (call once it is connected). */
  add(session: LoadSession): void {
    const now = performance.now();
    session.nextVideoAt = now + Math.random() * this.frameMs;
    session.nextAudioAt = now + Math.random() * this.audioMs;
    this.sessions.push(session);
    this.timer ??= setInterval(() => this.tick(), TICK_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.sessions.length = 0;
  }

  /** Hot path: sends what is due. */
  private tick(): void {
    const now = performance.now();
    const videoStep = Math.round(VIDEO_CLOCK / this.options.fps);
    const audioStep = Math.round(AUDIO_CLOCK / this.options.audioPps);
    for (const s of this.sessions) {
      if (now - s.nextVideoAt > this.maxLagMs) {
        const behind = Math.floor((now - s.nextVideoAt) / this.frameMs);
        this.meter.skipped += behind * this.packetsPerFrame;
        s.nextVideoAt += behind * this.frameMs;
      }
      while (s.nextVideoAt <= now) {
        // The tag carries the real send time: late sessions in a busy tick must not look faster.
        s.sendVideoFrame(this.video, this.packetsPerFrame, videoStep, performance.now());
        s.nextVideoAt += this.frameMs;
      }
      if (now - s.nextAudioAt > this.maxLagMs) {
        const behind = Math.floor((now - s.nextAudioAt) / this.audioMs);
        this.meter.skipped += behind;
        s.nextAudioAt += behind * this.audioMs;
      }
      while (s.nextAudioAt <= now) {
        s.sendAudio(this.audio, audioStep, performance.now());
        s.nextAudioAt += this.audioMs;
      }
    }
  }
}
