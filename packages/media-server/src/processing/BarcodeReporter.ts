/**
 * Kurento's rule for ZBarFilter's CodeFound: a symbol is reported when it differs from the last
 * one reported, or when at least `intervalMs` passed since that report. zbar itself reports the
 * symbol in every frame where it reads it.
 */
export class BarcodeReporter {
  private lastType: string | undefined;
  private lastValue: string | undefined;
  private lastAt = -Infinity;

  constructor(
    private readonly intervalMs = 1000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether this reading is to be reported (and, if so, remembers it). */
  accept(type: string, value: string): boolean {
    const at = this.now();
    if (type === this.lastType && value === this.lastValue && at - this.lastAt < this.intervalMs) return false;
    this.lastType = type;
    this.lastValue = value;
    this.lastAt = at;
    return true;
  }
}
