/**
 * A PlayerEndpoint's `rtsp://` source: one unit process (helper/gst_unit.py, mode `rtsp`) whose
 * rtspsrc talks to the camera, and which sends the camera's frames back as typed RTP, undecoded.
 *
 *   camera ─RTSP/RTP─▶ rtspsrc (jitter buffer: `latency`) ─┬ depay ! pay (H.264, VP8, VP9) ─┐
 *                                                          └ depay ! pay (Opus, AAC) ───────┴▶ rtpfunnel ! rtpstreampay ! fd 4
 *
 * Why depayload and payload again rather than forward the camera's packets: cameras send H.264
 * parameter sets only in the SDP and pick their own MTU and payload types; re-payloading (no
 * decoding) gives packets of our MTU, our payload types, SPS/PPS before every key frame, and
 * one SSRC per kind, which is what the graph's typed pads, key-frame gates and transcoders take.
 * Why one output pipe: the funnel interleaves whole packets, so Node tells the kinds apart by
 * payload type, and fd 4 is the same RFC 4571 framing every unit uses.
 * Stopping the unit sets the pipeline to NULL, and rtspsrc sends TEARDOWN on the way.
 */
import type { ClockMapping, MediaKind, RtpCodec } from '../types/media.js';
import type { HelperEvent } from './ControlChannel.js';
import { ProcessingError } from './errors.js';
import { ProcessingUnit } from './ProcessingUnit.js';
import { Signal } from './Signal.js';

/** Payload types the RTSP source numbers its streams with (the player's numbering, as for files). */
export const RTSP_PAYLOAD_TYPES: Readonly<Record<string, number>> = { VP8: 96, VP9: 98, H264: 102, OPUS: 111, 'MPEG4-GENERIC': 97 };

/** Caps fields of the payloader that are GStreamer's, not the codec's format parameters. */
const NOT_PARAMETERS = new Set(['media', 'clock-rate', 'encoding-name', 'encoding-params', 'payload', 'ssrc', 'timestamp-offset', 'seqnum-offset', 'seqnum', 'timestamp', 'a-framerate', 'profile']);

/** One stream of the camera, as the graph types it. */
export interface RtspTrack {
  readonly kind: MediaKind;
  readonly codec: RtpCodec;
}

/** Shortest interval between two key-frame requests sent towards the camera. */
const KEYFRAME_INTERVAL_MS = 500;

export class RtspSourceUnit extends ProcessingUnit {
  /** A stream's codec, once its first packets flowed (before `started` resolves). */
  readonly tracks = new Signal<RtspTrack>();
  /** A stream's RTP ↔ wall-clock mapping, for the sinks' sender reports. */
  readonly clocks = new Signal<{ readonly kind: MediaKind; readonly clock: ClockMapping }>();
  /** The server ended the stream (every stream reached its end). The unit closes itself. */
  readonly endOfStream = new Signal();
  private lastKeyframeAt = -Infinity;
  private silenceWatch: NodeJS.Timeout | undefined;

  constructor(...args: ConstructorParameters<typeof ProcessingUnit>) {
    super(...args);
    // A server that stops sending while its connection stays up (a camera that hangs, a cut
    // network with TCP keep-alive) ends nothing in rtspsrc: it is noticed here.
    this.started.then(() => this.watchSilence(), () => undefined);
    this.ended.add(() => clearInterval(this.silenceWatch));
  }

  /** Asks the camera for a key frame (an RTCP PLI/FIR, when its server takes RTCP feedback); at most every 500 ms. */
  override requestKeyframe(): void {
    const now = performance.now();
    if (this.state !== 'running' || now - this.lastKeyframeAt < KEYFRAME_INTERVAL_MS) return;
    this.lastKeyframeAt = now;
    this.request('keyframe').catch(() => undefined);
  }

  /** Fails the unit when no packet came for stallTimeoutMs once it played. */
  private watchSilence(): void {
    let seen = -1;
    let since = performance.now();
    this.silenceWatch = setInterval(() => {
      const { packetsOut } = this.stats();
      const now = performance.now();
      if (packetsOut !== seen) {
        seen = packetsOut;
        since = now;
      } else if (now - since >= this.options.stallTimeoutMs) {
        this.fail(new ProcessingError('hung', `the RTSP server sent no media for ${Math.round(now - since)} ms`));
      }
    }, this.options.watchdogIntervalMs);
  }

  protected override onUnitEvent(event: HelperEvent): void {
    if (event.event === 'track') {
      const track = trackOf(event);
      if (track) this.tracks.emit(track);
    } else if (event.event === 'clock') {
      const { kind, ssrc, rtpTimestamp, wallMs } = event;
      if ((kind === 'audio' || kind === 'video') && typeof ssrc === 'number' && typeof rtpTimestamp === 'number' && typeof wallMs === 'number') {
        this.clocks.emit({ kind, clock: { ssrc, rtpTimestamp, ntpMs: wallMs, receivedAtMs: performance.now() - (Date.now() - wallMs) } });
      }
    }
  }

  protected override onPipelineEnded(): void {
    this.endOfStream.emit();
    void this.close();
  }
}

/** A `track` event's payloader caps as the codec the graph negotiates. */
function trackOf(event: HelperEvent): RtspTrack | undefined {
  const { kind, caps } = event;
  if ((kind !== 'audio' && kind !== 'video') || typeof caps !== 'object' || caps === null) return undefined;
  const fields = caps as Readonly<Record<string, unknown>>;
  const encoding = String(fields['encoding-name'] ?? '').toUpperCase();
  const clockRate = Number(fields['clock-rate']);
  const payloadType = RTSP_PAYLOAD_TYPES[encoding];
  if (payloadType === undefined || !Number.isFinite(clockRate)) return undefined;
  const parameters: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) if (!NOT_PARAMETERS.has(name) && (typeof value === 'string' || typeof value === 'number')) parameters[name] = String(value);
  if (encoding === 'H264') parameters['level-asymmetry-allowed'] = '1';
  const name = encoding === 'OPUS' ? 'opus' : encoding === 'MPEG4-GENERIC' ? 'mpeg4-generic' : encoding;
  const channels = kind === 'audio' ? Number(fields['encoding-params'] ?? (encoding === 'OPUS' ? 2 : 1)) : undefined;
  return { kind, codec: { mimeType: `${kind}/${name}`, clockRate, parameters, payloadType, ...(channels === undefined ? {} : { channels }) } };
}
