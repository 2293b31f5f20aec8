/**
 * The thread's lane epochs (csrc/lane.c): a forwarding lane runs only while the epochs it was
 * armed at are current, so any change that could make the JavaScript path treat a packet
 * differently (a connection, a release, a transport's state, a stream's route) bumps one, and
 * lanes are armed again from the JavaScript path once its packets show the new steady state.
 *
 * Cell 0 stops every lane of the thread; cell c (a pipeline's, see laneCell) only the lanes armed
 * in it, so a session joining one pipeline does not disarm the lanes of all the others.
 */
import { nativeBinding } from './binding.js';

/** Cells of a thread's epoch array (csrc/internal.h KTS_LANE_CELLS); cell 0 is the thread's. */
export const LANE_CELLS = 4096;

/** The cell of scope `id` (a pipeline's serial number): 1..LANE_CELLS-1, scopes sharing one only disarm each other more often. */
export function laneCell(id: number): number {
  return 1 + (Math.abs(Math.trunc(id)) % (LANE_CELLS - 1));
}

/**
 * Stops the forwarding lanes of `cell` (default 0: every lane of this thread) until they are
 * armed again. Costs one increment; no-op without the addon.
 */
export function invalidateLanes(cell = 0): void {
  const epochs = nativeBinding()?.laneEpoch;
  if (epochs && cell >= 0 && cell < LANE_CELLS) epochs[cell] = ((epochs[cell] ?? 0) + 1) | 0;
}

/** The epoch a lane of `cell` is armed at now (changes with a bump of the cell or of cell 0; 0 without the addon). */
export function laneEpoch(cell = 0): number {
  const epochs = nativeBinding()?.laneEpoch;
  if (!epochs) return 0;
  return cell === 0 ? (epochs[0] ?? 0) : ((epochs[0] ?? 0) + (epochs[cell] ?? 0)) | 0;
}
