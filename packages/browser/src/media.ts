/** Local media: where it comes from, how it is shown, how it is let go. */
import type { SendSource } from './types.js';

/** kurento-utils' defaults (its `framerate` was a typo that browsers ignored). */
export const DEFAULT_MEDIA_CONSTRAINTS: MediaStreamConstraints = { audio: true, video: { width: 640, frameRate: 15 } };

/** Asks the browser for the camera and microphone, or for the screen. */
export async function getLocalMedia(source: SendSource, constraints: MediaStreamConstraints | undefined): Promise<MediaStream> {
  // Missing outside secure contexts: say so instead of "cannot read properties of undefined".
  if (!navigator.mediaDevices) throw new Error('navigator.mediaDevices is not available: serve the page over HTTPS (or from localhost)');
  if (source === 'webcam') return navigator.mediaDevices.getUserMedia(constraints ?? DEFAULT_MEDIA_CONSTRAINTS);
  return navigator.mediaDevices.getDisplayMedia(constraints ?? { video: true, audio: false });
}

/** Whether a recvonly peer receives `kind`: only an explicit `false` leaves it out (kurento-utils). */
export function wantsKind(constraints: MediaStreamConstraints | undefined, kind: 'audio' | 'video'): boolean {
  return constraints?.[kind] !== false;
}

/** Attaches a stream to a video element, unless it shows it already. */
export function attach(video: HTMLVideoElement | null | undefined, stream: MediaStream): void {
  if (video && video.srcObject !== stream) video.srcObject = stream;
}

/** Detaches `stream` from a video element if it still shows it, and resets the element. */
export function detach(video: HTMLVideoElement | null | undefined, stream: MediaStream | undefined): void {
  if (!video || !stream || video.srcObject !== stream) return; // the page has moved on: leave it alone
  video.pause();
  video.srcObject = null;
  video.load(); // back to the empty state, no frozen last frame
}
