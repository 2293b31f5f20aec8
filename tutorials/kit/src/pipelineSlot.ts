/**
 * A page's one pipeline at a time (a loopback, then a playback, say): each `open()` replaces the
 * current pipeline, and work begun for an older one sees that it is stale (`run.current()`) and
 * gives up; a pipeline made after its run went stale is released at once, so none is left behind.
 */
import type { KurentoClient, MediaPipeline } from '@kurento-ts/client';

/** One pipeline's run: the pipeline, and whether it is still the page's current one. */
export interface PipelineRun {
  readonly pipeline: MediaPipeline;
  /** False once the slot was opened again, released or closed. */
  current(): boolean;
}

export class PipelineSlot {
  /** Bumped by every open and release: work started under an older value is abandoned. */
  #generation = 0;
  #pipeline: MediaPipeline | undefined;

  constructor(
    private readonly kurento: KurentoClient,
    /** Hears of failed releases (the log). */
    private readonly onFault: (error: unknown) => void,
  ) {}

  /**
   * Releases the current pipeline and makes a new one; undefined when the slot was opened again
   * or released meanwhile (the new pipeline is then released too).
   */
  async open(): Promise<PipelineRun | undefined> {
    const generation = ++this.#generation;
    await this.#releasePipeline(this.#take());
    const pipeline = await this.kurento.createMediaPipeline();
    if (generation !== this.#generation) {
      await this.#releasePipeline(pipeline);
      return undefined;
    }
    this.#pipeline = pipeline;
    return { pipeline, current: () => generation === this.#generation };
  }

  /** Ends the current run (and any open under way) and releases its pipeline with its elements. */
  release(): Promise<void> {
    this.#generation++;
    return this.#releasePipeline(this.#take());
  }

  #take(): MediaPipeline | undefined {
    const pipeline = this.#pipeline;
    this.#pipeline = undefined;
    return pipeline;
  }

  async #releasePipeline(pipeline: MediaPipeline | undefined): Promise<void> {
    if (pipeline) await pipeline.release().catch((e: unknown) => this.onFault(e));
  }
}
