/** page-instrument.js as the tests call it inside pages. */
declare global {
  var tutorialProbe: {
    frames(video: HTMLVideoElement): number;
    snapshot(video: HTMLVideoElement, width: number, height: number): number[] | null;
    inbound(video: HTMLVideoElement): Promise<import('./participant.js').ProbeInbound | null>;
    openPeers(): number;
  };
}
export {};
