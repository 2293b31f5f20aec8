/**
 * Loads the compiled addon when it is there and wanted. The addon is optional (like `ws` with
 * `bufferutil`): when it did not build, or `KURENTO_NATIVE=0` asks for the TypeScript path, the
 * callers use their TypeScript implementations and `nativeStatus()` says why.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The raw class the addon exports for SRTP (srtp_binding.c); use `NativeSrtpSession` instead. */
export interface RawSrtpSession {
  protectRtp(bytes: Uint8Array, offset: number, length: number): number;
  unprotectRtp(bytes: Uint8Array, offset: number, length: number): number;
  protectRtcp(bytes: Uint8Array, offset: number, length: number): number;
  unprotectRtcp(bytes: Uint8Array, offset: number, length: number): number;
  stats(): { rejectedAuth: number; rejectedReplay: number; rejectedMalformed: number };
  close(): void;
}

/** The raw class the addon exports for UDP (socket.c); use `NativeUdpSocket` instead. */
export interface RawUdpSocket {
  readonly slab: Buffer;
  readonly meta: Int32Array;
  readonly port: number;
  readonly family: 4 | 6;
  flush(count: number): number;
  addPeer(address: string, port: number): number;
  removePeer(id: number): void;
  source(slot: number): [string, number];
  sendTo(bytes: Uint8Array, offset: number, length: number, address: string, port: number): boolean;
  stats(): UdpSocketStats;
  close(): void;
  setLane(ssrc: number, payloadType: number, srtpIn: RawSrtpSession, targets: RawLaneTarget[], cell: number, books?: RawLaneBooks): number;
  clearLanes(): void;
}

/** One sink of a lane as the addon takes it: [socket, peer, srtp, header, payloadType, seqOffset, timestampOffset]. */
export type RawLaneTarget = [RawUdpSocket, number, RawSrtpSession, Uint8Array, number, number, number];

type Cells = Float64Array;
/** A lane's books as the addon takes them (csrc/ledger.c): see LaneBooks. */
export type RawLaneBooks = [nowMs: number, fastPath: Cells, wire: Cells | null, stats: Cells, nack: Cells | null, twcc: Cells | null, twccRecords: Cells | null, twccExtensionId: number, flow: Cells | null, sinks: RawLaneSinkBooks[]];
/** One sink's books: see LaneSinkBooks. */
export type RawLaneSinkBooks = [outbound: Cells, vp8: number, ring: Cells | null, ringSlots: ArrayBuffer | null, ringSlab: Buffer | null, wire: Cells | null, flow: Cells | null];

/** Counters of one native socket, read by JS on timers. */
export interface UdpSocketStats {
  packetsIn: number;
  bytesIn: number;
  packetsOut: number;
  bytesOut: number;
  /** Times the loop woke the socket up. */
  wakeups: number;
  /** JS calls made (batches holding at least one datagram for JS). */
  batches: number;
  /** Datagrams other than STUN from sources that are not peers (peersOnly). */
  droppedUnknownSource: number;
  /** Datagrams larger than a slab slot. */
  truncated: number;
  /** Datagrams the kernel refused to send (buffer full) or bad descriptors. */
  sendErrors: number;
  /** RTP packets a forwarding lane took (lane.c). */
  lanePackets: number;
}

/** The raw classes the addon exports for DTLS (dtls.c); use `NativeDtlsSession` instead. */
export type RawDtlsContext = object;
/** [datagrams to send, application data received, state (0 handshaking, 1 connected, 2 closed, 3 failed), error]. */
export type RawDtlsStep = [Buffer[], Buffer[], number, string | undefined];
export interface RawDtlsSession {
  start(): RawDtlsStep;
  receive(datagram: Uint8Array): RawDtlsStep;
  timeout(): RawDtlsStep;
  nextTimeoutMs(): number;
  write(data: Uint8Array): RawDtlsStep;
  info(): { srtpProfile: number; peerCertificate?: Buffer; cipher?: string; version?: string };
  exportKeyingMaterial(length: number): Buffer;
  close(): RawDtlsStep;
}

/** What the compiled module exports. */
export interface NativeBinding {
  DtlsContext: new (certificatePem: Uint8Array, privateKeyPem: Uint8Array, srtpProfiles: string) => RawDtlsContext;
  DtlsSession: new (context: RawDtlsContext, isServer: boolean, mtu: number) => RawDtlsSession;
  SrtpSession: new (profile: number, key: Uint8Array, salt: Uint8Array, deriveKeys: boolean, maxSsrcs: number) => RawSrtpSession;
  UdpSocket: new (
    address: string,
    portMin: number,
    portMax: number,
    batch: number,
    txCapacity: number,
    stride: number,
    peersOnly: boolean,
    onBatch: (count: number) => number | undefined,
  ) => RawUdpSocket;
  /** This thread's lane epochs, LANE_CELLS cells: a lane armed at another sum of cell 0 and its own is skipped (lane.c). */
  laneEpoch: Int32Array;
  /** The ledger layout csrc/ledger.h reads (sizes and a few indices), to check against ledgers.ts. */
  ledgerLayout: Record<string, number>;
}

/** Which path runs and why. */
export interface NativeStatus {
  native: boolean;
  /** One line for the log: the path in use and, for the TypeScript path, why. */
  reason: string;
}

/** Environment variable that forces the TypeScript path when 0, false, off or no. */
export const NATIVE_ENV = 'KURENTO_NATIVE';
/** Environment variable naming another build of the addon (the AddressSanitizer one of `npm run soak`). */
export const NATIVE_ADDON_ENV = 'KURENTO_NATIVE_ADDON';
const ADDON = process.env[NATIVE_ADDON_ENV] || join(dirname(fileURLToPath(import.meta.url)), '..', 'build', 'Release', 'kurento_ts_native.node');

let loaded: { binding: NativeBinding | undefined; status: NativeStatus } | undefined;

function load(): { binding: NativeBinding | undefined; status: NativeStatus } {
  const wanted = process.env[NATIVE_ENV]?.trim().toLowerCase();
  if (wanted !== undefined && ['0', 'false', 'off', 'no'].includes(wanted)) {
    return { binding: undefined, status: { native: false, reason: `TypeScript fast path (${NATIVE_ENV}=${wanted})` } };
  }
  if (!existsSync(ADDON)) {
    return {
      binding: undefined,
      status: { native: false, reason: 'TypeScript fast path (native addon not built: needs a C compiler, make and python3, then `npm run build -w @kurento-ts/native`)' },
    };
  }
  try {
    const binding = createRequire(import.meta.url)(ADDON) as NativeBinding;
    return { binding, status: { native: true, reason: `native fast path (${ADDON})` } };
  } catch (e) {
    return { binding: undefined, status: { native: false, reason: `TypeScript fast path (native addon failed to load: ${(e as Error).message})` } };
  }
}

/** The addon, or undefined when the TypeScript path runs. Loaded once per thread. */
export function nativeBinding(): NativeBinding | undefined {
  loaded ??= load();
  return loaded.binding;
}

/** Which path runs and why (loads the addon if not yet tried). */
export function nativeStatus(): NativeStatus {
  loaded ??= load();
  return loaded.status;
}

/** The addon, or an error naming what to install when it is not available. */
export function requireNative(): NativeBinding {
  const binding = nativeBinding();
  if (!binding) throw new Error(`the native fast path is not available: ${nativeStatus().reason}`);
  return binding;
}
