/** Reads bits MSB first, with Exp-Golomb codes (ITU-T H.264 §9.1), over a byte array. */
export class BitReader {
  /** Position in bits. */
  #bit = 0;

  constructor(private readonly bytes: Uint8Array) {}

  /** Bits left. */
  get remaining(): number {
    return this.bytes.length * 8 - this.#bit;
  }

  /** `n` bits (n ≤ 32) as an unsigned number; throws past the end. */
  bits(n: number): number {
    if (n > this.remaining) throw new RangeError('bitstream ended early');
    let value = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.bytes[(this.#bit >> 3)] ?? 0;
      value = value * 2 + ((byte >> (7 - (this.#bit & 7))) & 1);
      this.#bit++;
    }
    return value;
  }

  /** One bit as a boolean. */
  flag(): boolean {
    return this.bits(1) === 1;
  }

  /** ue(v). */
  ue(): number {
    let zeros = 0;
    while (!this.flag()) if (++zeros > 31) throw new RangeError('bad Exp-Golomb code');
    return 2 ** zeros - 1 + this.bits(zeros);
  }

  /** se(v). */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }
}
