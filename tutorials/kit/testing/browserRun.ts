/**
 * A browser test's run of a tutorial: the tutorial started as users start it (`npm start -w`,
 * free ports, media on 127.0.0.1), a client of its media server for the truth, fake cameras, and
 * the participants opened, each in its own Chromium or Firefox ESR. `stop()` is the last check: SIGTERM, as
 * Ctrl-C, and nothing is left listening.
 */
import assert from 'node:assert/strict';
import { KurentoClient } from '@kurento-ts/client';
import type { Tutorial } from '../src/tutorial.js';
import { makeCameras, type Camera, type PictureName } from './cameras.js';
import { expectPipelines, type PipelineShape } from './mediaServer.js';
import { listening, npmStart, type Started } from './npmStart.js';
import { Participant } from './participant.js';

/**
 * What the tests pass: every port free, media on loopback (Chromium runs with
 * --allow-loopback-in-peer-connection, Firefox with media.peerconnection.ice.loopback).
 */
const ARGS = ['--port', '0', '--kurento-port', '0', '--network-interfaces', '127.0.0.1'];

export class BrowserRun {
  readonly #participants = new Set<Participant>();
  #kurento: KurentoClient | undefined;
  #stopped = false;

  private constructor(
    private readonly tutorial: Tutorial<unknown>,
    /** The tutorial's process, started as users start it. */
    readonly app: Started,
    kurento: KurentoClient,
    /** One fake camera per picture asked for, in that order. */
    readonly cameras: readonly Camera[],
    private readonly removeCameras: () => void,
  ) {
    this.#kurento = kurento;
  }

  /** Starts `tutorial` from its workspace (`tutorials/<name>`) with a camera for each of `pictures`, `env` added to its environment. */
  static async start<Out>(tutorial: Tutorial<Out>, pictures: readonly PictureName[], env: NodeJS.ProcessEnv = {}): Promise<BrowserRun> {
    const cameras = await makeCameras(pictures);
    try {
      const app = await npmStart({ title: tutorial.title, workspace: `tutorials/${tutorial.name}` }, ARGS, env);
      const kurento = await KurentoClient.connect(app.kurentoUrl, { reconnect: false }).catch(async (e: unknown) => {
        await app.stop();
        throw e;
      });
      return new BrowserRun(tutorial as Tutorial<unknown>, app, kurento, cameras.list, cameras.remove);
    } catch (e) {
      cameras.remove();
      throw e;
    }
  }

  /** A participant in a Chromium of its own, with camera number `camera` (none: Chromium's default fake one), on the page. */
  async open(name: string, camera?: number): Promise<Participant> {
    return this.#add(await Participant.open(name, camera === undefined ? undefined : this.cameras[camera], this.app.url));
  }

  /** A participant in a Firefox ESR of its own (Firefox's fake camera: Participant.livePicture), on the page. */
  async openFirefox(name: string): Promise<Participant> {
    return this.#add(await Participant.openFirefox(name, this.app.url));
  }

  #add(p: Participant): Participant {
    this.#participants.add(p);
    return p;
  }

  /** Closes a participant's browser (after closing its tab, say). */
  async dismiss(p: Participant): Promise<void> {
    this.#participants.delete(p);
    await p.close();
  }

  /** The participants still open. */
  get participants(): Participant[] {
    return [...this.#participants];
  }

  /** Waits until the media server holds pipelines with these element counts ([]: none), and they stay so. */
  expectPipelines(elementsPerPipeline: readonly number[]): Promise<PipelineShape[]> {
    assert.ok(this.#kurento, 'the run is stopped');
    return expectPipelines(this.#kurento, elementsPerPipeline);
  }

  /**
   * SIGTERM to the tutorial (what Ctrl-C sends): it says it releases `sessions` page sessions and
   * stops; afterwards nothing listens on its page port or its media server's port.
   */
  async stop(sessions: number): Promise<void> {
    const ports = [new URL(this.app.url).port, new URL(this.app.kurentoUrl).port].map(Number);
    await this.#kurento?.close();
    this.#kurento = undefined;
    this.#stopped = true;
    await this.app.stop();
    assert.match(this.app.output(), new RegExp(`${this.tutorial.name}: SIGTERM, releasing ${sessions} session\\(s\\) and stopping`));
    for (const port of ports) assert.equal(await listening(port), false, `nothing listens on ${port}`);
  }

  /** Closes every browser, the client, the tutorial (if stop() did not) and the cameras. */
  async close(): Promise<void> {
    for (const p of this.#participants) await p.close();
    this.#participants.clear();
    await this.#kurento?.close();
    if (!this.#stopped) await this.app.stop();
    this.removeCameras();
  }
}
