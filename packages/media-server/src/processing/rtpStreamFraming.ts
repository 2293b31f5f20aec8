/**
 * RTP packets over a byte stream, framed as RFC 4571 §2 (each packet after its 16-bit length),
 * the framing GStreamer's rtpstreampay and rtpstreamdepay speak. A unit's process reads and
 * writes its RTP on a pipe pair this way rather than on loopback UDP: no port to allocate, no
 * other local process can inject into it, and a dead process shows as end-of-stream at once.
 */
import type { Writable } from 'node:stream';

/** Bytes per batch buffer: every packet pushed in one event-loop turn goes out in one write. */
const SLAB_BYTES = 64 * 1024;
/** Largest RTP packet a 16-bit length can frame. */
export const MAX_FRAMED_PACKET = 0xffff;

/**
 * Writes framed packets to a stream. Hot path: `push` copies the packet behind its length into a
 * batch buffer (no allocation); the batch is written once per event-loop turn. A batch the
 * stream could not write at once stays referenced by it, so the next batch gets a fresh buffer.
 */
export class RtpStreamWriter {
  private slab = Buffer.allocUnsafe(SLAB_BYTES);
  private end = 0;
  private scheduled = false;
  private closed = false;
  /** Packets refused: too large, or the reader is more than `maxQueuedBytes` behind. */
  dropped = 0;

  constructor(
    private readonly stream: Writable,
    private readonly maxQueuedBytes = 2 * 1024 * 1024,
  ) {}

  /** Queues one packet; false when it was dropped. */
  push(packet: Buffer): boolean {
    const length = packet.length;
    if (this.closed || length === 0 || length > MAX_FRAMED_PACKET || this.stream.writableLength > this.maxQueuedBytes) {
      this.dropped++;
      return false;
    }
    if (this.end + 2 + length > this.slab.length) {
      this.flush();
      if (2 + length > this.slab.length) this.slab = Buffer.allocUnsafe(2 + length);
    }
    this.slab.writeUInt16BE(length, this.end);
    packet.copy(this.slab, this.end + 2);
    this.end += 2 + length;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
    return true;
  }

  /** Writes the pending batch now. */
  readonly flush = (): void => {
    this.scheduled = false;
    if (this.end === 0 || this.closed) return;
    this.stream.write(this.slab.subarray(0, this.end));
    this.end = 0;
    // Written in full synchronously (the usual case on a pipe): the buffer is ours again.
    if (this.stream.writableLength > 0) this.slab = Buffer.allocUnsafe(SLAB_BYTES);
  };

  /** Stops writing; pending packets are dropped. */
  close(): void {
    this.closed = true;
    this.end = 0;
  }
}

/**
 * Splits a framed byte stream into packets. Each packet handed to `onPacket` is a view of the
 * chunk read (valid during the call, like every packet of the graph); a frame cut by a read
 * boundary is reassembled.
 */
export class RtpStreamReader {
  private carry: Buffer | undefined;

  constructor(private readonly onPacket: (packet: Buffer) => void) {}

  /** Feeds one chunk read from the stream. */
  push(chunk: Buffer): void {
    let data = chunk;
    if (this.carry !== undefined) {
      data = Buffer.concat([this.carry, chunk]);
      this.carry = undefined;
    }
    let offset = 0;
    while (offset + 2 <= data.length) {
      const length = data.readUInt16BE(offset);
      if (offset + 2 + length > data.length) break;
      if (length > 0) this.onPacket(data.subarray(offset + 2, offset + 2 + length));
      offset += 2 + length;
    }
    if (offset < data.length) this.carry = Buffer.from(data.subarray(offset));
  }
}
