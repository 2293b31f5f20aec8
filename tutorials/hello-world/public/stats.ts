/**
 * The live stats panel, from the peer connection's getStats() once a second: the received
 * video's resolution and frame rate, bitrates both ways, and the round-trip time of the
 * selected candidate pair (browser ⇄ media server).
 */

interface Sample {
  at: number;
  bytesIn: number;
  bytesOut: number;
}

export interface StatsCells {
  resolution: HTMLElement;
  framerate: HTMLElement;
  bitrateIn: HTMLElement;
  bitrateOut: HTMLElement;
  rtt: HTMLElement;
}

const kbps = (bytes: number, ms: number): string => {
  const bits = (bytes * 8) / (ms / 1000);
  return bits >= 1e6 ? `${(bits / 1e6).toFixed(2)} Mbit/s` : `${Math.round(bits / 1e3)} kbit/s`;
};

// The fields read here, from the WebRTC statistics spec; TypeScript's DOM types lack some.
interface RtpStats {
  type: string;
  kind?: string;
  bytesReceived?: number;
  bytesSent?: number;
  frameWidth?: number;
  frameHeight?: number;
  framesPerSecond?: number;
  selectedCandidatePairId?: string;
  currentRoundTripTime?: number;
}

export class StatsPanel {
  #timer: ReturnType<typeof setInterval> | undefined;
  #last: Sample | undefined;

  constructor(private readonly cells: StatsCells) {}

  /** Samples `pc` every second until stop(). */
  start(pc: RTCPeerConnection): void {
    this.stop();
    this.#timer = setInterval(() => void this.#sample(pc).catch(() => undefined), 1000);
  }

  /** Stops sampling and blanks the panel. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#last = undefined;
    for (const cell of Object.values(this.cells)) cell.textContent = '–';
  }

  async #sample(pc: RTCPeerConnection): Promise<void> {
    const report = await pc.getStats();
    if (this.#timer === undefined) return; // stopped meanwhile
    const now: Sample = { at: performance.now(), bytesIn: 0, bytesOut: 0 };
    let video: RtpStats | undefined;
    let pairId: string | undefined;
    report.forEach((raw: RtpStats) => {
      if (raw.type === 'inbound-rtp') now.bytesIn += raw.bytesReceived ?? 0;
      if (raw.type === 'outbound-rtp') now.bytesOut += raw.bytesSent ?? 0;
      if (raw.type === 'inbound-rtp' && raw.kind === 'video') video = raw;
      if (raw.type === 'transport') pairId = raw.selectedCandidatePairId;
    });
    const pair: RtpStats | undefined = pairId === undefined ? undefined : report.get(pairId);
    const { cells } = this;
    cells.resolution.textContent = video?.frameWidth ? `${video.frameWidth} × ${video.frameHeight ?? 0}` : '–';
    cells.framerate.textContent = video?.framesPerSecond !== undefined ? `${video.framesPerSecond.toFixed(0)} fps` : '–';
    cells.rtt.textContent = pair?.currentRoundTripTime !== undefined ? `${(pair.currentRoundTripTime * 1000).toFixed(1)} ms` : '–';
    const last = this.#last;
    if (last) {
      cells.bitrateIn.textContent = kbps(now.bytesIn - last.bytesIn, now.at - last.at);
      cells.bitrateOut.textContent = kbps(now.bytesOut - last.bytesOut, now.at - last.at);
    }
    this.#last = now;
  }
}
