/**
 * One processing unit: a GStreamer pipeline in a child process of its own (helper/gst_unit.py),
 * fed with the RTP packets of one input stream and giving back the RTP packets of its output.
 *
 *   push(packet) ─▶ RtpStreamWriter ─▶ fd 3 ┐                     ┌ fd 4 ─▶ RtpStreamReader ─▶ packets
 *                                           └─ child: GStreamer ──┘
 *   requests (JSON lines) ─▶ stdin            stdout ─▶ replies and events (keyframe-needed, code...)
 *
 * A crash of the process (or `kill -9`), a GStreamer error, an unanswered request or a stall
 * (input flowing, no output) ends the unit with `failed`; nothing else is touched. `close()`
 * stops the process and gives back its pipes and timers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import type { RtpCodec } from '../types/media.js';
import { createLogger } from '../support/logger.js';
import { ControlChannel, failureOf, type HelperEvent, type ReplyFields } from './ControlChannel.js';
import { runtimeAdvice } from './debianPackages.js';
import { ProcessingError } from './errors.js';
import { RtpStreamReader, RtpStreamWriter } from './rtpStreamFraming.js';
import { Signal } from './Signal.js';
import type { RtspSourceSpec, UnitSpec } from './unitSpecs.js';

const log = createLogger('kms:processing');

/** How a unit's process is run and watched. */
export interface UnitProcessOptions {
  /** The Python 3 that has Debian's GObject bindings (`python3-gi`). */
  readonly python: string;
  /** Path of gst_unit.py. */
  readonly helper: string;
  /** Extra environment of the process. */
  readonly environment: Readonly<Record<string, string>>;
  /** Longest wait for the pipeline to play. */
  readonly readyTimeoutMs: number;
  /** Longest wait for an answer to a control request. */
  readonly requestTimeoutMs: number;
  /** How often the process is pinged and its output checked. */
  readonly watchdogIntervalMs: number;
  /** How long input may flow without any output before the unit is called hung. */
  readonly stallTimeoutMs: number;
  /** Shortest interval between two keyframes forced on the encoder. */
  readonly keyframeIntervalMs: number;
  /** A name for logs and messages, e.g. `filter videoflip`. */
  readonly label: string;
}

/** Where a unit is in its life. */
export type UnitState = 'starting' | 'running' | 'failed' | 'closing' | 'closed';

/** A unit's counters. */
export interface UnitStats {
  readonly state: UnitState;
  readonly pid: number | undefined;
  readonly packetsIn: number;
  readonly bytesIn: number;
  readonly packetsOut: number;
  readonly bytesOut: number;
  /** Input packets not handed to the process (before it played, after it failed, or too far behind). */
  readonly packetsDropped: number;
  /** Keyframes forced on the unit's encoder. */
  readonly keyframesForced: number;
  /** Keyframe requests the unit's decoder sent to its source. */
  readonly keyframesNeeded: number;
}

/** Exit status of a unit's process. */
interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const STDERR_LINES = 20;

export class ProcessingUnit {
  /** The codec of the packets pushed in (none: the unit is a source of its own, e.g. an RTSP camera). */
  readonly input: RtpCodec | undefined;
  /** The codec of the packets given back (none: the unit only analyses its input). */
  readonly output: RtpCodec | undefined;
  /** Output RTP packets; each is valid only during the call (as everywhere in the graph). */
  readonly packets: Signal<Buffer>;
  /** The unit ended by a fault (crash, GStreamer error, hang); raised once. */
  readonly failed: Signal<ProcessingError>;
  /** The unit's decoder needs a keyframe from its source (at start, after loss). */
  readonly keyframeNeeded: Signal;
  /** The caps of the output once negotiated (e.g. H.264 sprop-parameter-sets, AAC config). */
  readonly outputCaps: Signal<Readonly<Record<string, string | number>>>;
  /** The process is gone and the unit's resources given back (after close, or after a fault); raised once. */
  readonly ended: Signal;
  /** Resolves once the pipeline plays; rejects (and the unit is gone) when it cannot start. */
  readonly started: Promise<void>;

  private stateValue: UnitState = 'starting';
  private failure: ProcessingError | undefined;
  private readonly child: ChildProcess;
  private readonly control: ControlChannel;
  private readonly writer: RtpStreamWriter | undefined;
  private readonly rtpIn: Socket | undefined;
  private readonly rtpOut: Socket | undefined;
  private readonly exited: Promise<ExitStatus>;
  private exitStatus: ExitStatus | undefined;
  private readonly stderrTail: string[] = [];
  private resolveStarted: () => void = () => undefined;
  private rejectStarted: (error: ProcessingError) => void = () => undefined;
  private readyTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private lastCaps: Readonly<Record<string, string | number>> | undefined;

  private packetsIn = 0;
  private bytesIn = 0;
  private packetsOut = 0;
  private bytesOut = 0;
  private droppedBeforeStart = 0;
  private keyframesForced = 0;
  private keyframesNeeded = 0;
  private lastForcedAt = -Infinity;
  private firstInputSeen = false;
  private seenIn = 0;
  private seenOut = 0;
  private stallSince = 0;
  private pingInFlight = false;
  private pipesDestroyed = false;

  constructor(
    protected readonly spec: UnitSpec | RtspSourceSpec,
    codecs: { readonly input: RtpCodec | undefined; readonly output: RtpCodec | undefined },
    protected readonly options: UnitProcessOptions,
  ) {
    this.input = codecs.input;
    this.output = codecs.output;
    const reportListenerError = (error: unknown): void => log.error(`[${options.label}] a listener threw`, error);
    this.packets = new Signal<Buffer>(reportListenerError);
    this.failed = new Signal<ProcessingError>(reportListenerError);
    this.keyframeNeeded = new Signal(reportListenerError);
    this.outputCaps = new Signal<Readonly<Record<string, string | number>>>(reportListenerError);
    this.ended = new Signal(reportListenerError);
    this.started = new Promise<void>((resolve, reject) => {
      this.resolveStarted = resolve;
      this.rejectStarted = reject;
    });
    // A caller that never awaits `started` must not see an unhandled rejection.
    this.started.catch(() => undefined);

    this.child = spawn(options.python, ['-I', options.helper], {
      stdio: ['pipe', 'pipe', 'pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...options.environment, PYTHONDONTWRITEBYTECODE: '1', GST_DEBUG_NO_COLOR: '1' },
    });
    this.exited = new Promise<ExitStatus>((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        resolve(this.exitStatus);
        this.onExit(this.exitStatus);
      });
      // spawn failures (no such program) emit 'error' and never 'exit'
      this.child.once('error', (error: NodeJS.ErrnoException) => {
        this.exitStatus = { code: null, signal: null };
        resolve(this.exitStatus);
        this.fail(
          error.code === 'ENOENT'
            ? new ProcessingError('unavailable', `GStreamer processing needs ${options.python} with GStreamer's Python bindings: ${runtimeAdvice()}`)
            : new ProcessingError('crashed', `cannot start the GStreamer process: ${error.message}`),
        );
      });
    });
    const [stdin, stdout, stderr, fd3, fd4] = this.child.stdio;
    if (stdin === null || stdout === null || stderr === null) throw new ProcessingError('internal', 'the unit process has no control pipes');
    for (const stream of [stdin, stdout, stderr, fd3, fd4]) stream?.on('error', (error: Error) => this.onPipeError(error));
    this.control = new ControlChannel(stdin, stdout, (event) => this.onEvent(event), (reason) => this.fail(new ProcessingError('crashed', reason)));
    stderr.setEncoding('utf8');
    stderr.on('data', (chunk: string) => this.onStderr(chunk));
    this.rtpIn = fd3 instanceof Socket ? fd3 : undefined;
    this.rtpOut = fd4 instanceof Socket ? fd4 : undefined;
    this.writer = this.rtpIn === undefined ? undefined : new RtpStreamWriter(this.rtpIn);
    if (this.rtpOut !== undefined) {
      const reader = new RtpStreamReader((packet) => this.onOutput(packet));
      this.rtpOut.on('data', (chunk: Buffer) => reader.push(chunk));
    }
    this.control.send(spec);
    this.readyTimer = setTimeout(() => this.fail(new ProcessingError('hung', `the GStreamer process did not start within ${options.readyTimeoutMs} ms`)), options.readyTimeoutMs);
  }

  /** Where the unit is in its life. */
  get state(): UnitState {
    return this.stateValue;
  }

  /** The fault that ended the unit, if one did. */
  get error(): ProcessingError | undefined {
    return this.failure;
  }

  /** The process id (for logs, and for tests that kill it). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The output caps last reported. */
  get currentOutputCaps(): Readonly<Record<string, string | number>> | undefined {
    return this.lastCaps;
  }

  /** Hot path: hands one input RTP packet to the unit (copied; the caller keeps its buffer). */
  push(packet: Buffer): void {
    if (this.stateValue !== 'running' || this.writer === undefined) {
      this.droppedBeforeStart++;
      return;
    }
    if (!this.firstInputSeen) {
      this.firstInputSeen = true;
      this.noteKeyframeNeeded(); // the decoder can start only at a keyframe
    }
    if (this.writer.push(packet)) {
      this.packetsIn++;
      this.bytesIn += packet.length;
    }
  }

  /** Asks the unit's encoder for a keyframe (a sink needs one); coalesced to one per keyframeIntervalMs. */
  requestKeyframe(): void {
    if (this.stateValue !== 'running' || this.output === undefined) return;
    const now = performance.now();
    if (now - this.lastForcedAt < this.options.keyframeIntervalMs) return;
    this.lastForcedAt = now;
    this.keyframesForced++;
    this.control.request('keyframe', {}, this.options.requestTimeoutMs).catch((error: unknown) => this.onRequestFailure(error));
  }

  /** The unit's counters. */
  stats(): UnitStats {
    return {
      state: this.stateValue,
      pid: this.child.pid,
      packetsIn: this.packetsIn,
      bytesIn: this.bytesIn,
      packetsOut: this.packetsOut,
      bytesOut: this.bytesOut,
      packetsDropped: this.droppedBeforeStart + (this.writer?.dropped ?? 0),
      keyframesForced: this.keyframesForced,
      keyframesNeeded: this.keyframesNeeded,
    };
  }

  /** Stops the process and gives back its pipes and timers; resolves once it has exited. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  /** Sends a control request to the running unit (for the unit kinds' own operations). */
  protected async request(op: string, fields: Readonly<Record<string, unknown>> = {}): Promise<ReplyFields> {
    if (this.stateValue === 'failed' && this.failure !== undefined) throw this.failure;
    if (this.stateValue !== 'running') throw new ProcessingError('closed', `the ${this.options.label} unit is ${this.stateValue}`);
    try {
      return await this.control.request(op, fields, this.options.requestTimeoutMs);
    } catch (error) {
      this.onRequestFailure(error);
      throw error;
    }
  }

  /** An event of the unit kind's own (a code found, faces counted); the base knows the common ones. */
  protected onUnitEvent(_event: HelperEvent): void {}

  /** The pipeline reached its end while running: a fault for a unit fed by us (a source's end is its own business). */
  protected onPipelineEnded(): void {
    this.fail(new ProcessingError('crashed', `the ${this.options.label} unit's pipeline ended`));
  }

  private async shutDown(): Promise<void> {
    const wasRunning = this.stateValue === 'running' || this.stateValue === 'starting';
    if (wasRunning) this.stateValue = 'closing';
    this.stopTimers();
    this.writer?.close();
    if (wasRunning && this.exitStatus === undefined) {
      // Ask politely (the pipeline goes to NULL, plugins release what they hold), then insist.
      // A process already on its way out (its pipeline ended) answers nothing: its exit is the answer.
      await Promise.race([this.control.request('stop', {}, Math.min(2000, this.options.requestTimeoutMs)).catch(() => undefined), this.exited]);
      await this.waitForExit(2000);
    }
    if (this.exitStatus === undefined) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
    this.control.close(this.failure ?? new ProcessingError('closed', `the ${this.options.label} unit is closed`));
    this.destroyPipes();
    if (this.stateValue !== 'failed') this.stateValue = 'closed';
    this.packets.clear();
  }

  private waitForExit(ms: number): Promise<void> {
    if (this.exitStatus !== undefined) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      void this.exited.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private onEvent(event: HelperEvent): void {
    switch (event.event) {
      case 'ready':
        this.onReady();
        return;
      case 'failed':
        this.fail(failureOf(event));
        return;
      case 'error':
        this.fail(new ProcessingError('crashed', `GStreamer error in the ${this.options.label} unit: ${String(event['message'])}`));
        return;
      case 'eos':
        if (this.stateValue === 'running') this.onPipelineEnded();
        return;
      case 'keyframe-needed':
        this.noteKeyframeNeeded();
        return;
      case 'output-caps':
        if (typeof event['caps'] === 'object' && event['caps'] !== null) {
          this.lastCaps = event['caps'] as Record<string, string | number>;
          this.outputCaps.emit(this.lastCaps);
        }
        return;
      default:
        this.onUnitEvent(event);
    }
  }

  private onReady(): void {
    if (this.stateValue !== 'starting') return;
    clearTimeout(this.readyTimer);
    this.readyTimer = undefined;
    this.stateValue = 'running';
    this.stallSince = performance.now();
    this.watchdog = setInterval(() => this.checkHealth(), this.options.watchdogIntervalMs);
    log.debug(`[${this.options.label}] started, pid ${this.child.pid}`);
    this.resolveStarted();
  }

  private noteKeyframeNeeded(): void {
    this.keyframesNeeded++;
    this.keyframeNeeded.emit();
  }

  private onOutput(packet: Buffer): void {
    this.packetsOut++;
    this.bytesOut += packet.length;
    this.packets.emit(packet);
  }

  /** Pings the process and checks that output follows input. */
  private checkHealth(): void {
    if (this.stateValue !== 'running') return;
    if (!this.pingInFlight) {
      this.pingInFlight = true;
      this.control.request('ping', {}, this.options.requestTimeoutMs).then(
        () => (this.pingInFlight = false),
        (error: unknown) => this.onRequestFailure(error),
      );
    }
    if (this.output === undefined) return;
    const now = performance.now();
    const inputFlows = this.packetsIn !== this.seenIn;
    const outputFlows = this.packetsOut !== this.seenOut;
    this.seenIn = this.packetsIn;
    this.seenOut = this.packetsOut;
    if (outputFlows || !inputFlows) this.stallSince = now;
    else if (now - this.stallSince >= this.options.stallTimeoutMs) {
      this.fail(new ProcessingError('hung', `the ${this.options.label} unit gave no output for ${Math.round(now - this.stallSince)} ms while its input flowed`));
    }
  }

  private onRequestFailure(error: unknown): void {
    // A request refused is the caller's business; one never answered means the process hangs.
    if (error instanceof ProcessingError && error.code === 'hung') this.fail(error);
  }

  private onExit(status: ExitStatus): void {
    if (this.stateValue === 'closing' || this.stateValue === 'closed' || this.stateValue === 'failed') return;
    const how = status.signal !== null ? `was killed by ${status.signal}` : `exited with code ${status.code}`;
    const tail = this.stderrTail.slice(-3).join(' | ').slice(0, 300);
    this.fail(new ProcessingError('crashed', `the GStreamer process of the ${this.options.label} unit (pid ${this.child.pid}) ${how}${tail ? ` (${tail})` : ''}`));
  }

  private onPipeError(error: Error): void {
    // EPIPE and friends follow the process's death, which onExit reports; log the rest.
    if ((error as NodeJS.ErrnoException).code !== 'EPIPE' && (error as NodeJS.ErrnoException).code !== 'ECONNRESET') log.debug(`[${this.options.label}] pipe error`, error);
  }

  private onStderr(chunk: string): void {
    for (const line of chunk.split('\n')) {
      const text = line.trim();
      if (text === '') continue;
      this.stderrTail.push(text.slice(0, 500));
      if (this.stderrTail.length > STDERR_LINES) this.stderrTail.shift();
      if (log.debugEnabled) log.debug(`[${this.options.label}] ${text}`);
    }
  }

  /** Ends the unit because of `error`: the process is killed, the owner told once. */
  protected fail(error: ProcessingError): void {
    if (this.stateValue === 'failed' || this.stateValue === 'closed' || this.stateValue === 'closing') return;
    const wasStarting = this.stateValue === 'starting';
    this.stateValue = 'failed';
    this.failure = error;
    this.stopTimers();
    this.writer?.close();
    this.control.close(error);
    if (this.exitStatus === undefined) this.child.kill('SIGKILL');
    void this.exited.then(() => this.destroyPipes());
    if (wasStarting) {
      this.rejectStarted(error);
    } else {
      log.warn(`[${this.options.label}] ${error.message}`);
      this.failed.emit(error);
    }
  }

  private stopTimers(): void {
    clearTimeout(this.readyTimer);
    clearInterval(this.watchdog);
    this.readyTimer = undefined;
    this.watchdog = undefined;
  }

  private destroyPipes(): void {
    if (this.pipesDestroyed) return;
    this.pipesDestroyed = true;
    for (const stream of this.child.stdio) stream?.destroy();
    this.ended.emit();
  }
}
