/**
 * One page's session of the player tutorial (Kurento's player) on the `/player` WebSocket:
 * `start` makes a pipeline with a PlayerEndpoint for the page's URL feeding a WebRtcEndpoint,
 * plays once the page's peer is connected (so that the media's first keyframe reaches it) and
 * tells the page the media's videoInfo; pause, resume, doSeek and getPosition act on that
 * player; `playEnd` at the end of the media (or when it cannot be played), and the pipeline goes.
 * `stop`, a new `start` or the socket closing releases the pipeline, also during a start.
 */
import type { KurentoClient, PlayerEndpoint } from '@kurento-ts/client';
import { answerError, BadMessage, CandidateQueue, errorMessage, PipelineSlot, type PageSession, type PipelineRun } from '@kurento-ts/tutorial-kit';
import { NOT_PLAYING, parseBrowserMessage, type ServerMessage } from './messages.js';

/** The playback under way. */
interface Playback {
  run: PipelineRun;
  player: PlayerEndpoint;
}

export class PlayerSession implements PageSession {
  readonly #slot: PipelineSlot;
  readonly #candidates = new CandidateQueue((e) => this.#report(e));
  #playback: Playback | undefined;
  #closed: Promise<void> | undefined;
  /** The latest start, which close() waits for. */
  #starting: Promise<void> | undefined;

  constructor(
    kurento: KurentoClient,
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
          return await (this.#starting = this.#start(message.sdpOffer, message.videourl));
        case 'stop':
          return await this.#release();
        case 'pause':
          return await this.#playing().pause();
        case 'resume':
          return await this.#playing().play();
        case 'doSeek':
          return await this.#seek(message.position);
        case 'getPosition':
          return this.send({ id: 'position', position: await this.#playing().getPosition() });
        case 'onIceCandidate':
          return this.#candidates.add(message.candidate);
      }
    } catch (e) {
      this.#report(e);
    }
  }

  /** The socket closed: releases everything (a start under way included). Idempotent. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#release();
      await this.#starting?.catch(() => undefined);
    })();
    return this.#closed;
  }

  #report(e: unknown): void {
    answerError(e, this.send, this.onFault);
  }

  #playing(): PlayerEndpoint {
    if (!this.#playback) throw new BadMessage(NOT_PLAYING);
    return this.#playback.player;
  }

  async #start(sdpOffer: string, uri: string): Promise<void> {
    this.#playback = undefined;
    this.#candidates.clear();
    const run = await this.#slot.open();
    if (!run) return;
    try {
      const endpoint = await run.pipeline.create('WebRtcEndpoint');
      // A URI the media server refuses (outside its media roots, say) fails here, with its reason.
      const player = await run.pipeline.create('PlayerEndpoint', { uri });
      let started = false;
      await Promise.all([
        endpoint.on('IceCandidateFound', ({ candidate }) => run.current() && this.send({ id: 'iceCandidate', candidate })),
        endpoint.on('ConnectionStateChanged', ({ newState }) => {
          if (newState !== 'CONNECTED' || started || !run.current()) return;
          started = true;
          void this.#play(run, player);
        }),
        player.on('EndOfStream', () => this.#ended(run)),
        player.on('Error', ({ description }) => this.#ended(run, description)),
        player.connect(endpoint),
      ]);
      const sdpAnswer = await endpoint.processOffer(sdpOffer);
      if (!run.current()) return;
      this.#playback = { run, player };
      this.send({ id: 'startResponse', sdpAnswer });
      this.#candidates.attach(endpoint);
      await endpoint.gatherCandidates();
    } catch (e) {
      // A stop or close during the start makes the remaining requests fail: that is no error.
      if (!run.current()) return;
      await this.#release();
      throw e;
    }
  }

  /** Plays, then tells the page what the media is; media that cannot be played ends the playback. */
  async #play(run: PipelineRun, player: PlayerEndpoint): Promise<void> {
    try {
      await player.play();
      const info = await player.getVideoInfo();
      if (!run.current()) return;
      this.send({ id: 'videoInfo', isSeekable: info.isSeekable, initSeekable: info.seekableInit, endSeekable: info.seekableEnd, videoDuration: info.duration });
    } catch (e) {
      if (run.current()) this.#ended(run, errorMessage(e));
    }
  }

  async #seek(position: number): Promise<void> {
    const player = this.#playing();
    try {
      await player.setPosition(position);
    } catch (e) {
      // Kurento's tutorial answers a failed seek with `seek`.
      this.send({ id: 'seek', message: `Seek failed: ${errorMessage(e)}` });
    }
  }

  /** The media ended, or cannot be played (`problem`): the page hears why and playEnd, and the pipeline goes. */
  #ended(run: PipelineRun, problem?: string): void {
    if (!run.current()) return;
    if (problem !== undefined) this.send({ id: 'error', message: problem });
    this.send({ id: 'playEnd' });
    void this.#release();
  }

  #release(): Promise<void> {
    this.#playback = undefined;
    this.#candidates.clear();
    return this.#slot.release();
  }
}
