/** @kurento-ts/test-utils page-probe.js, as these tests use it in the page. */
declare global {
  var probe: {
    watch(video: HTMLVideoElement): void;
    frames(video: HTMLVideoElement): number;
    compare(local: HTMLVideoElement, remote: HTMLVideoElement): { remoteVsBestLocal: number; remoteVsBlack: number; size: string } | null;
  };
}
export {};
