/** A growable byte buffer that a depacketizer assembles one frame in, reused frame after frame. */
export class FrameBuffer {
  /** Storage; grows by doubling, never shrinks. */
  #bytes = new Uint8Array(64 * 1024);
  /** Bytes written of the current frame. */
  #length = 0;

  /** Bytes of the frame so far. */
  get length(): number {
    return this.#length;
  }

  /** Appends bytes. */
  append(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#bytes.set(bytes, this.#length);
    this.#length += bytes.length;
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
    const out = this.#bytes.slice(0, this.#length);
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
    const grown = new Uint8Array(size);
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
  }
}
