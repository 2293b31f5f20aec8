/** A media pipeline: the container of elements, and the clock that drives their flow checks. */
import { newObjectId } from '../support/ids.js';
import type { Remote } from './contract.js';
import { MediaElement } from './MediaElement.js';
import { MediaObject } from './MediaObject.js';
import type { ObjectContext } from './ObjectContext.js';

const TICK_MS = 1000;

export class MediaPipeline extends MediaObject implements Remote<'MediaPipeline'> {
  /** Drives element flow checks while the pipeline lives. */
  private readonly ticker: NodeJS.Timeout;
  /** Kurento's latencyStats flag (kept, not measured). */
  private latencyStats = false;

  constructor(context: ObjectContext) {
    super(context, 'MediaPipeline', newObjectId('MediaPipeline'));
    this.ticker = setInterval(() => this.tick(), TICK_MS);
    this.ticker.unref();
  }

  override get mediaPipeline(): MediaPipeline {
    return this;
  }

  getLatencyStats(): boolean {
    return this.latencyStats;
  }

  setLatencyStats(value: boolean): void {
    this.latencyStats = value;
  }

  private tick(): void {
    for (const child of this.children) if (child instanceof MediaElement) child.tick();
  }

  protected override dispose(): void {
    clearInterval(this.ticker);
  }
}
