/**
 * The thread's lane epoch (csrc/lane.c): a forwarding lane runs only while the epoch it was armed
 * at is current, so any change that could make the JavaScript path treat a packet differently
 * (a connection, a release, a transport's state, a stream's route) calls invalidateLanes(), and
 * lanes are armed again from the JavaScript path once its packets show the new steady state.
 */
import { nativeBinding } from './binding.js';

/** Stops every forwarding lane of this thread until it is armed again. Costs one increment; no-op without the addon. */
export function invalidateLanes(): void {
  const epoch = nativeBinding()?.laneEpoch;
  if (epoch) epoch[0] = ((epoch[0] ?? 0) + 1) | 0;
}

/** The current epoch (0 without the addon). */
export function laneEpoch(): number {
  return nativeBinding()?.laneEpoch[0] ?? 0;
}
