/**
 * Ledgers: the per-packet state a forwarding lane books in C (csrc/ledger.c) kept in Float64Arrays
 * that the TypeScript classes owning it (reception statistics, NACK and transport-cc, flow and wire
 * counters, an outbound stream, a retransmission ring) read and write as their own fields. While a
 * lane runs, C books each packet into them exactly as the TypeScript path would; whenever C cannot
 * (a gap to NACK, a ring or a record list to grow, a flow to report), it books nothing for that
 * packet and leaves it to the TypeScript path, which then arms the lane again. So both sides keep
 * one state, and the TypeScript path without the addon uses the same classes.
 *
 * The cell indices below are the layout csrc/ledger.h reads; `ledgerLayout` of the addon states
 * its side and a test compares them.
 */

/** Reception statistics of one inbound stream (rtp/ReceptionStats.ts). */
export const StatsCell = { received: 0, baseSeq: 1, maxExtended: 2, jitter16: 3, lastTransit: 4, clockRate: 5, size: 6 } as const;

/** A NACK generator: the highest sequence number (unwrapped), and 1 while nothing is missing or due. */
export const NackCell = { highest: 0, quiet: 1, size: 2 } as const;

/**
 * Transport-cc records since the last feedback. The records themselves sit in a second array,
 * sequence numbers in [0, capacity) and arrival times (µs) in [capacity, 2 * capacity); growing it
 * bumps the generation, which stops C from booking into the old one.
 */
export const TwccCell = { highest: 0, nextBase: 1, count: 2, capacity: 3, generation: 4, size: 5 } as const;

/** Packets and bytes of one media flow (graph/FlowMonitor.ts), and 1 while it is reported flowing. */
export const FlowCell = { packets: 0, bytes: 1, flowing: 2, size: 3 } as const;

/** A transport's packet and byte counters. */
export const WireCell = { packetsReceived: 0, bytesReceived: 1, packetsSent: 2, bytesSent: 3, size: 4 } as const;

/** A fast path's counters of RTP received, and of those a lane forwarded. */
export const FastPathCell = { received: 0, laned: 1, size: 2 } as const;

/** An outbound stream: what sender reports need, and its VP8 picture id continuity. */
export const OutboundCell = {
  lastSeq: 0,
  lastTimestamp: 1,
  lastSentMs: 2,
  packetCount: 3,
  octetCount: 4,
  pictureLast: 5,
  pictureOffset: 6,
  pictureLastTl0: 7,
  pictureTl0Offset: 8,
  pictureFresh: 9,
  size: 10,
} as const;

/**
 * A retransmission ring's scalars. Its per-slot arrays share one ArrayBuffer laid out as
 * ringSlotsLayout says (a ring of `slots` slots), and its bytes sit in a slab of `capacity` bytes;
 * replacing the slab bumps the generation.
 */
export const RingCell = { slots: 0, maxAgeMs: 1, maxPacketBytes: 2, maxBytes: 3, capacity: 4, written: 5, queueHead: 6, queueLength: 7, generation: 8, size: 9 } as const;

/** Byte offsets of a ring's per-slot arrays in its ArrayBuffer, for `slots` slots. */
export function ringSlotsLayout(slots: number): { starts: number; sentMs: number; queueStarts: number; seqs: number; queueSeqs: number; lengths: number; bytes: number } {
  const f64 = slots * 8;
  const i32 = slots * 4;
  return { starts: 0, sentMs: f64, queueStarts: 2 * f64, seqs: 3 * f64, queueSeqs: 3 * f64 + i32, lengths: 3 * f64 + 2 * i32, bytes: 3 * f64 + 2 * i32 + slots * 2 };
}
