/**
 * Kurento's RecorderEndpoint: writes what its sources send into a WebM, MKV or MP4 file, or
 * uploads it to an http(s) URI, without transcoding (media/RecordingSink.ts does the work). Each
 * kind's edge takes only the codecs the profile's container holds, so a source that sends
 * another gets the graph's UNSUPPORTED_MEDIA_TYPE error instead of a broken file. The file is
 * made at the first packet after `record`; files stay readable after a crash; `stopAndWait`
 * returns once the file is finished (seekable, with its duration).
 */
import { KurentoError } from '@kurento-ts/protocol';
import { profileSpec, RecordingSink, RecordingProfileError, type FileOrHttpUri, type ProfileSpec } from '../../media/index.js';
import { rtpPayloadLength } from '../../rtp/rtpHeader.js';
import { createLogger } from '../../support/logger.js';
import { mediaKinds, type ClockMapping, type MediaKind, type RtpCodec } from '../../types/media.js';
import type { ConstructorArgs, Remote } from '../contract.js';
import type { MediaPipeline } from '../MediaPipeline.js';
import type { ObjectContext } from '../ObjectContext.js';
import { UriEndpoint } from './UriEndpoint.js';

const log = createLogger('kms:RecorderEndpoint');

export class RecorderEndpoint extends UriEndpoint implements Remote<'RecorderEndpoint'> {
  private readonly profile: string;
  private readonly spec: ProfileSpec;
  private readonly stopOnEndOfStream: boolean;
  /** The recording in progress, made at its first packet. */
  private sink: RecordingSink | undefined;
  /** The stop in progress, for stopAndWait. */
  private stopping: Promise<void> | undefined;
  /** The last sender-report clock handed to the sink, per kind. */
  private readonly clocks: Partial<Record<MediaKind, ClockMapping>> = {};

  constructor(context: ObjectContext, pipeline: MediaPipeline, { uri, mediaProfile, stopOnEndOfStream }: ConstructorArgs<'RecorderEndpoint'>) {
    super(context, 'RecorderEndpoint', pipeline, uri);
    this.writableTarget();
    const spec = profileSpec(mediaProfile);
    if (!spec) throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `mediaProfile ${mediaProfile} is not supported: WEBM, MKV and MP4, with their _AUDIO_ONLY and _VIDEO_ONLY forms, are`);
    this.profile = mediaProfile;
    this.spec = spec;
    this.stopOnEndOfStream = stopOnEndOfStream;
    // Each kind takes what the container holds, in the source's own numbering.
    for (const kind of spec.kinds) this.node.setAccepts(kind, { names: spec.codecs[kind] });
  }

  // ---- remote interface ----

  record(): void {
    if (this.state === 'START') return;
    if (this.state === 'PAUSE' && this.sink) {
      this.sink.resume();
      this.setState('START');
      this.raise('Recording');
      return;
    }
    this.setState('START');
  }

  pause(): void {
    if (this.state !== 'START') return;
    this.sink?.pause();
    this.setState('PAUSE');
    this.raise('Paused');
  }

  stop(): void {
    void this.finish();
  }

  stopAndWait(): Promise<void> {
    return this.finish();
  }

  // ---- media ----

  /** Hot path: media from a source goes into the recording while it records. */
  acceptRtp(kind: MediaKind, packet: Buffer): void {
    this.flow.count('in', kind, rtpPayloadLength(packet));
    if (this.state !== 'START') return;
    const sink = this.sink ?? this.begin();
    if (!sink) return;
    // A transcoder's output has RTP timestamps of its own: only a forwarded stream has the source's clock.
    const input = this.node.input(kind);
    const clock = input?.status === 'forwarding' ? input.pad.clock : undefined;
    if (clock && clock !== this.clocks[kind]) {
      this.clocks[kind] = clock;
      sink.setClockMapping(kind, clock);
    }
    sink.pushRtp(kind, packet);
  }

  /** The source ended (a player's file): with stopOnEndOfStream, the recording is finished. */
  override inputEnded(): void {
    if (this.stopOnEndOfStream && this.state !== 'STOP') void this.finish();
  }

  /** The first packet after `record`: the file is made with the codecs the edges carry now. */
  /** Where the recording goes: a file or an upload; an RTSP URI is for players only. */
  private writableTarget(): FileOrHttpUri {
    if (this.target.kind === 'rtsp') throw new KurentoError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', 'uri: a recorder writes to file:// or http(s):// URIs; rtsp:// is for PlayerEndpoint');
    return this.target;
  }

  private begin(): RecordingSink | undefined {
    const codecs: Partial<Record<MediaKind, RtpCodec>> = {};
    for (const kind of mediaKinds) {
      const input = this.node.input(kind);
      // What arrives: the source's codec, or what a transcoder makes of it for the profile.
      const codec = input?.status === 'forwarding' ? input.sourceCodec : input?.status === 'transcoding' ? input.sinkCodec : undefined;
      if (codec && this.spec.kinds.includes(kind)) codecs[kind] = codec;
    }
    try {
      this.sink = new RecordingSink({
        target: this.writableTarget(),
        profile: this.profile,
        codecs,
        events: {
          keyframeNeeded: () => this.node.requestKeyframe(),
          started: () => this.raise('Recording'),
          warning: (message) => {
            log.warn(`[${this.id}] ${message}`);
            this.raise('Error', { description: `Recording: ${message}`, errorCode: 40000, type: 'MEDIA_ERROR' });
          },
          error: (e) => this.failed(e),
        },
      });
    } catch (e) {
      this.failed(e instanceof Error ? e : new Error(String(e)));
      return undefined;
    }
    return this.sink;
  }

  private failed(error: Error): void {
    log.error(`[${this.id}] recording failed: ${error.message}`);
    const profile = error instanceof RecordingProfileError;
    this.raise('Error', { description: `Recording failed: ${error.message}`, errorCode: profile ? 40005 : 40000, type: profile ? 'UNSUPPORTED_MEDIA_TYPE' : 'MEDIA_ERROR' });
    void this.finish();
  }

  /** Stops recording; resolves once the file is finished (never rejects: failures are Error events). Concurrent calls share one stop. */
  private finish(): Promise<void> {
    if (this.stopping) return this.stopping;
    if (this.state === 'STOP' && !this.sink) return Promise.resolve();
    const sink = this.sink;
    this.sink = undefined;
    this.setState('STOP');
    this.stopping = (async () => {
      try {
        const result = await sink?.stop();
        if (result) log.debug(`[${this.id}] stopped: ${JSON.stringify(result)}`);
      } catch (e) {
        log.error(`[${this.id}] finishing the recording failed`, e);
        this.raise('Error', { description: `Finishing the recording failed: ${e instanceof Error ? e.message : String(e)}`, errorCode: 40000, type: 'MEDIA_ERROR' });
      } finally {
        this.stopping = undefined;
        this.raise('Stopped');
      }
    })();
    return this.stopping;
  }

  protected override dispose(): void {
    super.dispose();
    // Released while recording: the file is still finished.
    void this.sink?.stop().catch((e: unknown) => log.error(`[${this.id}] finishing after release failed`, e));
    this.sink = undefined;
  }
}
