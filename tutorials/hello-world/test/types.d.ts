/** fixtures/probe.js, as the tests see it in the page. */
declare global {
  var probe: {
    watch(video: HTMLVideoElement): void;
    frames(video: HTMLVideoElement): number;
    compare(local: HTMLVideoElement, remote: HTMLVideoElement): { remoteVsBestLocal: number; remoteVsBlack: number; size: string } | null;
  };
}
export {};
