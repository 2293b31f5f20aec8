/** Progress lines on stderr during long runs, so a run is never silent (stdout keeps the results). */
export class Progress {
  private lastStatusAt = 0;

  constructor(private readonly quiet = false) {}

  /** A line, always printed. */
  line(text: string): void {
    if (!this.quiet) process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
  }

  /** A status line, printed at most every `everyMs` (and always when `force`). */
  status(text: string, force = false, everyMs = 2000): void {
    const now = performance.now();
    if (!force && now - this.lastStatusAt < everyMs) return;
    this.lastStatusAt = now;
    this.line(text);
  }
}
