/**
 * One page's session of the recorder tutorial (Kurento's hello-world-recording) on the
 * `/recording` WebSocket. `start` makes a pipeline with a WebRtcEndpoint connected to itself (the
 * loopback) and to a RecorderEndpoint that records the mode's kinds into this page's file;
 * `stop` finishes the file (stopAndWait) and releases the pipeline; `play` plays the file back
 * through a PlayerEndpoint into a new WebRtcEndpoint, `playEnd` at its end; `stopPlay` releases
 * it. Each pipeline replaces the page's previous one, also while it is still being made.
 */
import type { KurentoClient, RecorderEndpoint, WebRtcEndpoint } from '@kurento-ts/client';
import { answerError, CandidateQueue, errorMessage, PipelineSlot, type PageSession, type PipelineRun } from '@kurento-ts/tutorial-kit';
import { NOTHING_RECORDED, parseBrowserMessage, PROFILES, type Mode, type ServerMessage } from './messages.js';

/** Where a page's recordings go: a file URI of its own (the media server's side). */
export type RecordingUris = () => string;

/** The recording under way: its recorder, whether it wrote anything, and whether the page was told it stopped. */
interface Recording {
  recorder: RecorderEndpoint;
  written: boolean;
  stoppedSent: boolean;
}

export class RecorderSession implements PageSession {
  readonly #slot: PipelineSlot;
  /** The page's candidates for the endpoint of the current pipeline. */
  readonly #candidates = new CandidateQueue((e) => this.#report(e));
  /** This page's file, made by its first start and recorded over by the next. */
  #uri: string | undefined;
  /** Whether #uri holds a finished recording (Play is possible). */
  #recorded = false;
  #recording: Recording | undefined;
  /** The request in progress (start, stop, play), which close() waits for. */
  #busy: Promise<void> = Promise.resolve();
  #closed: Promise<void> | undefined;

  constructor(
    kurento: KurentoClient,
    private readonly newUri: RecordingUris,
    private readonly send: (message: ServerMessage) => void,
    private readonly onFault: (error: unknown) => void = () => undefined,
  ) {
    this.#slot = new PipelineSlot(kurento, onFault);
  }

  /** Handles one text frame from the page; failures are answered with `error`, never thrown. */
  async receive(text: string): Promise<void> {
    if (this.#closed) return;
    try {
      const message = parseBrowserMessage(text);
      switch (message.id) {
        case 'start':
          return await this.#serially(() => this.#start(message.sdpOffer, message.mode));
        case 'play':
          return await this.#serially(() => this.#play(message.sdpOffer));
        case 'stop':
        case 'stopPlay':
          // Kurento's handler treats both alike: whatever runs ends (a recording is finished first).
          return await this.#serially(() => this.#end());
        case 'onIceCandidate':
          return this.#candidates.add(message.candidate);
      }
    } catch (e) {
      this.#report(e);
    }
  }

  /** The socket closed: finishes a recording under way and releases everything. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= this.#serially(() => this.#end()).catch((e: unknown) => this.onFault(e));
    return this.#closed;
  }

  #report(e: unknown): void {
    answerError(e, this.send, this.onFault);
  }

  /** Requests run one after the other: a stop waits for the start before it, a play for the stop. */
  #serially(work: () => Promise<void>): Promise<void> {
    const next = this.#busy.then(work);
    this.#busy = next.catch(() => undefined);
    return next;
  }

  async #start(sdpOffer: string, mode: Mode): Promise<void> {
    await this.#end();
    this.#uri ??= this.newUri();
    this.#recorded = false;
    const run = await this.#slot.open();
    if (!run) return;
    const { pipeline } = run;
    try {
      const endpoint = await this.#endpoint(run);
      const recorder = await pipeline.create('RecorderEndpoint', { uri: this.#uri, mediaProfile: PROFILES[mode] });
      const recording: Recording = { recorder, written: false, stoppedSent: false };
      this.#recording = recording;
      await Promise.all([
        recorder.on('Recording', () => {
          recording.written = true; // the file exists from its first frame on
          if (run.current()) this.send({ id: 'recording' });
        }),
        recorder.on('Paused', () => run.current() && this.send({ id: 'paused' })),
        recorder.on('Stopped', () => this.#stopped(recording)),
        recorder.on('Error', ({ description }) => run.current() && this.send({ id: 'error', message: `Recording: ${description}` })),
        endpoint.connect(endpoint), // the loopback: the page sees itself while it records
        mode === 'audio-video' ? endpoint.connect(recorder) : endpoint.connect(recorder, mode === 'audio-only' ? 'AUDIO' : 'VIDEO'),
      ]);
      const sdpAnswer = await endpoint.processOffer(sdpOffer);
      if (!run.current()) return;
      this.send({ id: 'startResponse', sdpAnswer, uri: this.#uri });
      this.#candidates.attach(endpoint);
      await endpoint.gatherCandidates();
      // The file is made at the first packet after record: what arrives before is not kept.
      await recorder.record();
    } catch (e) {
      // A stop or close during the start makes the remaining requests fail: that is no error.
      if (!run.current()) return;
      this.#recording = undefined;
      await this.#slot.release();
      throw e;
    }
  }

  async #play(sdpOffer: string): Promise<void> {
    await this.#end();
    const uri = this.#uri;
    if (!uri || !this.#recorded) return this.send({ id: 'error', message: NOTHING_RECORDED });
    const run = await this.#slot.open();
    if (!run) return;
    try {
      const endpoint = await this.#endpoint(run);
      const player = await run.pipeline.create('PlayerEndpoint', { uri });
      let playing = false;
      await Promise.all([
        player.on('EndOfStream', () => this.#playEnded(run)),
        player.on('Error', ({ description }) => {
          if (run.current()) this.send({ id: 'error', message: `Playing: ${description}` });
          this.#playEnded(run);
        }),
        // The file's first keyframe must reach the page: play once the page's peer is connected.
        endpoint.on('ConnectionStateChanged', ({ newState }) => {
          if (newState !== 'CONNECTED' || playing || !run.current()) return;
          playing = true;
          player.play().catch((e: unknown) => {
            if (run.current()) this.send({ id: 'error', message: `Playing: ${errorMessage(e)}` });
            this.#playEnded(run);
          });
        }),
        player.connect(endpoint),
      ]);
      const sdpAnswer = await endpoint.processOffer(sdpOffer);
      if (!run.current()) return;
      this.send({ id: 'playResponse', sdpAnswer });
      this.#candidates.attach(endpoint);
      await endpoint.gatherCandidates();
    } catch (e) {
      if (!run.current()) return;
      await this.#slot.release();
      throw e;
    }
  }

  /** The playback ended (or failed): the page hears playEnd, and the pipeline goes. */
  #playEnded(run: PipelineRun): void {
    if (!run.current()) return;
    this.send({ id: 'playEnd' });
    void this.#serially(() => (run.current() ? this.#slot.release() : Promise.resolve()));
  }

  /** The page's WebRtcEndpoint on the run's pipeline, its candidates going to the page. */
  async #endpoint(run: PipelineRun): Promise<WebRtcEndpoint> {
    this.#candidates.clear();
    const endpoint = await run.pipeline.create('WebRtcEndpoint');
    await Promise.all([
      endpoint.on('IceCandidateFound', ({ candidate }) => run.current() && this.send({ id: 'iceCandidate', candidate })),
      run.pipeline.on('Error', ({ description }) => run.current() && this.send({ id: 'error', message: description })),
    ]);
    return endpoint;
  }

  /** The recorder said Stopped: the page hears it once. */
  #stopped(recording: Recording): void {
    if (recording.stoppedSent) return;
    recording.stoppedSent = true;
    this.send({ id: 'stopped' });
  }

  /** Ends what runs: a recording is finished (the file complete) before its pipeline goes. */
  async #end(): Promise<void> {
    const recording = this.#recording;
    this.#recording = undefined;
    this.#candidates.clear();
    if (recording) {
      try {
        await recording.recorder.stopAndWait();
        this.#recorded = recording.written;
      } catch (e) {
        this.onFault(e);
      }
      // Said here too, in case the Stopped event is still on its way when the pipeline goes.
      this.#stopped(recording);
    }
    await this.#slot.release();
  }
}
