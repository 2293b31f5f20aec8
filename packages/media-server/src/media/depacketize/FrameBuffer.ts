/** A growable byte buffer that a depacketizer assembles one frame in, reused frame after frame. */
export class FrameBuffer {
  /** Storage; grows by doubling, never shrinks. */
  #bytes = Buffer.allocUnsafe(64 * 1024);
  /** Bytes written of the current frame. */
  #length = 0;

  /** Bytes of the frame so far. */
  get length(): number {
    return this.#length;
  }

  /** Appends `bytes[start, end)`; Buffer.copy makes no view (this runs per packet). */
  append(bytes: Buffer, start = 0, end = bytes.length): void {
    this.#reserve(end - start);
    this.#length += bytes.copy(this.#bytes, this.#length, start, end);
  }

  /** Appends a 32-bit big-endian number (an AVCC NAL length) and returns where it was written. */
  appendU32(value: number): number {
    this.#reserve(4);
    const at = this.#length;
    this.setU32(at, value);
    this.#length += 4;
    return at;
  }

  /** Appends one byte. */
  appendByte(value: number): void {
    this.#reserve(1);
    this.#bytes[this.#length++] = value;
  }

  /** Overwrites a 32-bit big-endian number at `at`. */
  setU32(at: number, value: number): void {
    this.#bytes[at] = value >>> 24;
    this.#bytes[at + 1] = (value >>> 16) & 0xff;
    this.#bytes[at + 2] = (value >>> 8) & 0xff;
    this.#bytes[at + 3] = value & 0xff;
  }

  /** A copy of the frame (the one allocation per frame), and the buffer emptied for the next. */
  take(): Uint8Array {
    const out = new Uint8Array(this.#length);
    this.#bytes.copy(out, 0, 0, this.#length);
    this.#length = 0;
    return out;
  }

  /** Drops the frame in progress. */
  clear(): void {
    this.#length = 0;
  }

  #reserve(extra: number): void {
    if (this.#length + extra <= this.#bytes.length) return;
    let size = this.#bytes.length * 2;
    while (size < this.#length + extra) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.#bytes.copy(grown, 0, 0, this.#length);
    this.#bytes = grown;
  }
}
