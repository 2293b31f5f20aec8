/**
 * The processing backend: where elements and edges get their units. It checks once whether
 * GStreamer and its Python bindings are installed (`availability`), validates GStreamerFilter
 * commands, starts units (one process each) and keeps track of them so `closeAll` leaves
 * nothing running. Without GStreamer nothing here fails at import or at server start: each
 * request answers a ProcessingError 'unavailable' naming the Debian packages to install.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RtpCodec } from '../types/media.js';
import { codecLabel } from '../rtp/codecs.js';
import { canDecode, canEncode, type EncoderSettings } from './codecChains.js';
import { failureOf } from './ControlChannel.js';
import { installAdvice, runtimeAdvice } from './debianPackages.js';
import { ProcessingError } from './errors.js';
import { ALLOWED_FILTER_ELEMENTS, parseFilterCommand, type FilterType } from './filterCommand.js';
import { loadOverlayImage, DEFAULT_IMAGE_LIMITS, type ImageLimits, type OverlayImageSource } from './overlayImages.js';
import { ProcessingUnit, type UnitProcessOptions } from './ProcessingUnit.js';
import { RTSP_PAYLOAD_TYPES, RtspSourceUnit } from './RtspSourceUnit.js';
import { BarcodeUnit, FaceOverlayUnit, FilterUnit, ImageOverlayUnit, TranscoderUnit } from './units.js';
import { barcodeSpec, faceOverlaySpec, FACE_CASCADE, filterSpec, imageOverlaySpec, rtspSourceSpec, transcoderSpec, type UnitSpec } from './unitSpecs.js';

/** The backend's settings; every field has a default. */
export interface ProcessingBackendOptions {
  /** Python 3 with Debian's GObject bindings (default /usr/bin/python3, not whatever `python3` is on PATH). */
  readonly python?: string;
  readonly readyTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly watchdogIntervalMs?: number;
  readonly stallTimeoutMs?: number;
  /** Shortest interval between two keyframes forced on a unit's encoder. */
  readonly keyframeIntervalMs?: number;
  /** rtpjitterbuffer latency of every unit, ms. */
  readonly jitterLatencyMs?: number;
  /** Encoder defaults of every unit. */
  readonly encoder?: EncoderSettings;
  readonly imageLimits?: ImageLimits;
  /** Extra environment of the units' processes (e.g. GST_PLUGIN_PATH for plugins of your own). */
  readonly environment?: Readonly<Record<string, string>>;
}

/** Whether GStreamer processing can run here. */
export interface Availability {
  readonly available: boolean;
  /** GStreamer's version string, when it answered. */
  readonly version?: string;
  /** Elements the units use that are missing, with the packages to install. */
  readonly missing: readonly string[];
  /** What to install, for a person (empty when everything is there). */
  readonly advice: string;
}

/** What `inspectFilterCommand` learns of a command without any media. */
export interface FilterCommandInfo {
  readonly factory: string;
  /** The kind the element filters (AUTODETECT resolved from its pads). */
  readonly kind: 'AUDIO' | 'VIDEO';
  /** Its properties: GObject type name and whether setElementProperty may write it. */
  readonly properties: Readonly<Record<string, { readonly type: string; readonly writable: boolean }>>;
}

/** Codecs of a unit and its encoder settings. */
export interface UnitCodecs {
  readonly input: RtpCodec;
  /** Defaults to the input codec (same payload type). */
  readonly output?: RtpCodec;
  readonly encoder?: EncoderSettings;
}

const HELPER = fileURLToPath(new URL('./helper/gst_unit.py', import.meta.url));

/** Every element a unit may use, for the availability probe. */
const PROBED_ELEMENTS = [
  'fdsrc', 'fdsink', 'fakesink', 'capsfilter', 'queue', 'tee', 'rtpstreampay', 'rtpstreamdepay', 'rtpjitterbuffer', 'videoconvert', 'videoscale', 'audioconvert', 'audioresample',
  'rtpvp8depay', 'rtpvp8pay', 'vp8dec', 'vp8enc', 'rtpvp9depay', 'vp9dec', 'rtph264depay', 'rtph264pay', 'h264parse', 'avdec_h264', 'x264enc',
  'rtpopusdepay', 'rtpopuspay', 'opusdec', 'opusenc', 'rtpmp4gdepay', 'rtpmp4gpay', 'avdec_aac', 'avenc_aac', 'gdkpixbufoverlay', 'facedetect', 'zbar',
  'rtspsrc', 'rtpfunnel', 'rtpvp9pay',
];

/** What every RTSP source needs (the per-codec depayloaders and payloaders are checked as streams appear). */
const RTSP_ELEMENTS = ['rtspsrc', 'rtpfunnel', 'rtpstreampay', 'fdsink'];

export class ProcessingBackend {
  private readonly unitOptions: Omit<UnitProcessOptions, 'label'>;
  private readonly units = new Set<ProcessingUnit>();
  private availabilityCheck: Promise<Availability> | undefined;

  constructor(private readonly options: ProcessingBackendOptions = {}) {
    this.unitOptions = {
      python: options.python ?? '/usr/bin/python3',
      helper: HELPER,
      environment: options.environment ?? {},
      readyTimeoutMs: options.readyTimeoutMs ?? 15_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 3000,
      watchdogIntervalMs: options.watchdogIntervalMs ?? 1000,
      stallTimeoutMs: options.stallTimeoutMs ?? 5000,
      keyframeIntervalMs: options.keyframeIntervalMs ?? 300,
    };
  }

  /** Whether GStreamer processing can run here, asked once (a short-lived process) and kept. */
  availability(): Promise<Availability> {
    this.availabilityCheck ??= this.probe();
    return this.availabilityCheck;
  }

  /**
   * Validates a GStreamerFilter command without media (what `create GStreamerFilter` checks):
   * syntax, one element, allow-list, installed, properties set, filter type. Throws the
   * ProcessingError that says what is wrong; no process is left behind either way.
   */
  async inspectFilterCommand(command: string, filterType: FilterType): Promise<FilterCommandInfo> {
    const parsed = parseFilterCommand(command);
    const event = await this.runOnce({ mode: 'inspect', command: parsed.command, factory: parsed.factory, commandProperties: parsed.properties, allowed: [...ALLOWED_FILTER_ELEMENTS.keys()], filterType }, 'inspected');
    const kind = event['kind'] === 'AUDIO' ? 'AUDIO' : 'VIDEO';
    const properties = typeof event['properties'] === 'object' && event['properties'] !== null ? (event['properties'] as FilterCommandInfo['properties']) : {};
    return { factory: parsed.factory, kind, properties };
  }

  /** A GStreamerFilter unit for one input stream. `properties` are set, in order, before it plays. */
  async createFilter(options: UnitCodecs & { readonly command: string; readonly filterType: FilterType; readonly properties?: readonly (readonly [string, string])[] }): Promise<FilterUnit> {
    const command = parseFilterCommand(options.command);
    const codecs = this.codecs(options);
    const spec = filterSpec({ ...this.frame(options, codecs.output), command, filterType: options.filterType, properties: options.properties });
    return this.start((o) => new FilterUnit(spec, codecs, o), `filter ${command.factory}`);
  }

  /** A transcoder from `input` to `output` (one per source and target codec; feed every sink from its packets). */
  async createTranscoder(options: UnitCodecs & { readonly output: RtpCodec }): Promise<TranscoderUnit> {
    const codecs = this.codecs(options);
    const spec = transcoderSpec({ ...this.frame(options, options.output), output: options.output });
    return this.start((o) => new TranscoderUnit(spec, codecs, o), `transcoder ${codecLabel(options.input)} → ${codecLabel(options.output)}`);
  }

  /** FaceOverlayFilter's unit. */
  async createFaceOverlay(options: UnitCodecs): Promise<FaceOverlayUnit> {
    if (!existsSync(FACE_CASCADE)) throw new ProcessingError('unavailable', `face detection needs OpenCV's cascades (${FACE_CASCADE}): ${installAdvice(['facedetect'])}`);
    const codecs = this.codecs(options);
    const spec = faceOverlaySpec(this.frame(options, codecs.output));
    return this.start((o) => new FaceOverlayUnit(spec, codecs, o), 'face overlay');
  }

  /** ImageOverlayFilter's unit. */
  async createImageOverlay(options: UnitCodecs): Promise<ImageOverlayUnit> {
    const codecs = this.codecs(options);
    const spec = imageOverlaySpec(this.frame(options, codecs.output));
    return this.start((o) => new ImageOverlayUnit(spec, codecs, o), 'image overlay');
  }

  /** ZBarFilter's unit (no output: the element forwards its input unchanged). */
  async createBarcodeScanner(options: { readonly input: RtpCodec }): Promise<BarcodeUnit> {
    if (!canDecode(options.input)) throw unsupported(options.input, 'decode');
    const spec = barcodeSpec({ input: options.input, jitterLatencyMs: this.options.jitterLatencyMs });
    return this.start((o) => new BarcodeUnit(spec, { input: options.input, output: undefined }, o), 'barcode scanner');
  }

  /** Throws ProcessingError `unavailable`, naming what to install, when RTSP sources cannot run here. */
  async requireRtsp(): Promise<void> {
    const availability = await this.availability();
    if (!availability.available) throw new ProcessingError('unavailable', `rtsp:// sources need GStreamer: ${availability.advice}`);
    const missing = RTSP_ELEMENTS.filter((e) => availability.missing.includes(e));
    if (missing.length > 0) throw new ProcessingError('unavailable', `rtsp:// sources need the GStreamer element${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: ${installAdvice(missing)}`);
  }

  /**
   * A PlayerEndpoint's RTSP source, returned at once so that its tracks, packets and faults can
   * be listened to (and the unit closed) while it connects: `started` resolves once every stream
   * the server described flows, and rejects (the unit gone) when the URL cannot be played.
   */
  openRtspSource(options: { readonly location: string; readonly latencyMs: number; readonly label: string }): RtspSourceUnit {
    const spec = rtspSourceSpec({ ...options, payloadTypes: RTSP_PAYLOAD_TYPES });
    const unit = new RtspSourceUnit(spec, { input: undefined, output: undefined }, { ...this.unitOptions, label: options.label });
    this.units.add(unit);
    unit.ended.add(() => this.units.delete(unit));
    unit.started.catch(() => void unit.close());
    return unit;
  }

  /** Reads an overlay image (a path the caller confined to the media roots, or an http(s) URL). */
  loadImage(source: OverlayImageSource): Promise<Buffer> {
    return loadOverlayImage(source, this.options.imageLimits ?? DEFAULT_IMAGE_LIMITS);
  }

  /** Units started and not yet closed. */
  get liveUnits(): number {
    return this.units.size;
  }

  /** Closes every unit (at server stop). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.units].map((u) => u.close()));
  }

  private codecs(options: UnitCodecs): { input: RtpCodec; output: RtpCodec } {
    const output = options.output ?? options.input;
    if (!canDecode(options.input)) throw unsupported(options.input, 'decode');
    if (!canEncode(output)) throw unsupported(output, 'encode');
    return { input: options.input, output };
  }

  private frame(options: UnitCodecs, output: RtpCodec): { input: RtpCodec; output: RtpCodec; encoder: EncoderSettings; jitterLatencyMs?: number } {
    return { input: options.input, output, encoder: { ...this.options.encoder, ...options.encoder }, jitterLatencyMs: this.options.jitterLatencyMs };
  }

  private async start<U extends ProcessingUnit>(make: (options: UnitProcessOptions) => U, label: string): Promise<U> {
    const unit = make({ ...this.unitOptions, label });
    this.units.add(unit);
    unit.ended.add(() => this.units.delete(unit));
    try {
      await unit.started;
    } catch (error) {
      await unit.close();
      throw error;
    }
    return unit;
  }

  /** Runs the helper in a one-shot mode and returns its answer event (or throws its failure). */
  private runOnce(spec: Readonly<Record<string, unknown>>, answer: string): Promise<Readonly<Record<string, unknown>>> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.unitOptions.python, ['-I', HELPER], { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, ...this.unitOptions.environment, PYTHONDONTWRITEBYTECODE: '1' } });
      let output = '';
      let settled = false;
      const timer = setTimeout(() => {
        settle(new ProcessingError('hung', `GStreamer did not answer within ${this.unitOptions.readyTimeoutMs} ms`));
        child.kill('SIGKILL');
      }, this.unitOptions.readyTimeoutMs);
      const settle = (result: ProcessingError | Readonly<Record<string, unknown>>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (result instanceof ProcessingError) reject(result);
        else resolve(result);
      };
      child.once('error', (error: NodeJS.ErrnoException) => {
        settle(error.code === 'ENOENT' ? new ProcessingError('unavailable', `GStreamer processing needs ${this.unitOptions.python}: ${runtimeAdvice()}`) : new ProcessingError('crashed', error.message));
      });
      child.stdin.on('error', () => undefined);
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => (output += chunk));
      child.once('close', (code, signal) => {
        const event = lastEvent(output);
        if (event?.['event'] === answer) settle(event);
        else if (event?.['event'] === 'failed') settle(failureOf(event));
        else settle(new ProcessingError('crashed', `the GStreamer process ${signal !== null ? `was killed by ${signal}` : `exited with code ${code}`}`));
      });
      child.stdin.end(JSON.stringify(spec) + '\n');
    });
  }

  private async probe(): Promise<Availability> {
    try {
      const event = await this.runOnce({ mode: 'probe', elements: PROBED_ELEMENTS }, 'probe');
      const present = new Set(Array.isArray(event['present']) ? event['present'] : []);
      const missing = PROBED_ELEMENTS.filter((e) => !present.has(e));
      if (!existsSync(FACE_CASCADE) && !missing.includes('facedetect')) missing.push('facedetect');
      const version = typeof event['version'] === 'string' ? event['version'] : undefined;
      return { available: true, version, missing, advice: missing.length > 0 ? installAdvice(missing) : '' };
    } catch (error) {
      const message = error instanceof ProcessingError ? error.message : String(error);
      return { available: false, missing: [], advice: message.includes('install') ? message : `${message}: ${runtimeAdvice()}` };
    }
  }
}

function lastEvent(output: string): Readonly<Record<string, unknown>> | undefined {
  const lines = output.split('\n').filter((l) => l.trim() !== '');
  const last = lines[lines.length - 1];
  if (last === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(last);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function unsupported(codec: RtpCodec, what: 'decode' | 'encode'): ProcessingError {
  return new ProcessingError('unsupported-codec', `the processing backend cannot ${what} ${codecLabel(codec)}`);
}
