/**
 * A controlled ICE agent that is never sent USE-CANDIDATE still gets a pair: after a grace period
 * it uses the best valid pair that the peer checks too, and takes the peer's nomination when one
 * comes after all.
 *
 * Why: werift 0.24.4 selects a pair (sets `nominated`, ends connect(), lets DTLS start) only when
 * the controlling peer nominates one; until then it sends nothing on any pair, however long it
 * waits. libjuice (libdatachannel, node-datachannel) can end up believing it nominated a pair
 * without ever sending USE-CANDIDATE: when we answer its first check late (after its 500 ms
 * retransmission), both copies get a response; if the second response arrives after libjuice has
 * decided to nominate but before it has sent the nominating request, the old transaction ID still
 * matches (libjuice renews it only when it sends), the stale response counts as the nomination's
 * answer and cancels that send. Its ICE is then completed, ours waits for good: no DTLS, no media.
 * Under load that happened to 2–10 % of new bench sessions.
 *
 * RFC 8445 §12.1 lets an agent send data on any valid pair before a pair is selected, and pjnath
 * does the same on its controlled side (a nomination timeout, then the valid pair). Nominations
 * still win: a pair the peer nominates later replaces ours (RFC 8445 §12.1: once there are
 * selected pairs, data goes on them only). Peers that nominate (Chromium, Firefox, libjuice
 * outside that race) never reach the timer.
 */
import { CandidatePairState, type CandidatePair, type IceConnection } from 'werift';

/**
 * How long a controlled agent waits for a nomination once it has a pair that is valid both ways.
 * libjuice waits up to 2 s for better pairs before it nominates; pjnath's controlled side waits 10 s.
 */
export const NOMINATION_WAIT_MS = 3000;

/** The parts of werift's Connection that are private in its typings. */
interface ConnectionInternals {
  /** Runs after each check of ours ends, and on a nomination of a pair that already succeeded. */
  checkComplete(pair: CandidatePair): void;
  /** Handles a binding request the peer sent us (after werift has answered it). */
  checkIncoming(...args: unknown[]): void;
}

/** What the fallback did, for stats and tests. */
export interface NominationCounters {
  /** Pairs selected without a nomination, after the grace period. */
  selectedWithoutNomination: number;
  /** Later nominations that replaced such a pair with another one. */
  replacedByNomination: number;
}

const installed = new WeakSet<IceConnection>();

export interface NominationOptions {
  /** How long to wait for a nomination (tests shorten it). */
  waitMs?: number;
  /** A later nomination replaced the pair selected without one: the selected pair changed. */
  onReplaced?: () => void;
}

/** Installs the fallback on a connection; idempotent. */
export function selectValidPairWithoutNomination(connection: IceConnection, counters: NominationCounters, options: NominationOptions = {}): void {
  const waitMs = options.waitMs ?? NOMINATION_WAIT_MS;
  if (installed.has(connection)) return;
  installed.add(connection);
  const internals = connection as unknown as ConnectionInternals;
  const complete = internals.checkComplete.bind(connection);
  const incoming = internals.checkIncoming.bind(connection);
  let timer: NodeJS.Timeout | undefined;
  /** The pair we selected without a nomination, while no nomination has replaced it. */
  let ours: CandidatePair | undefined;

  /** Valid (our check succeeded) and in use by the peer (it checked it too), in this ICE generation. */
  const usable = (pair: CandidatePair): boolean => valid(connection, pair) && pair.requestsReceived > 0;
  const waitingForNomination = (): boolean =>
    connection.nominated === undefined && !connection.iceControlling && !connection.iceLite && connection.state !== 'closed';

  const select = (): void => {
    timer = undefined;
    if (!waitingForNomination()) return;
    const pair = connection.checkList.find(usable); // werift keeps the list in priority order
    if (!pair) return;
    ours = pair;
    counters.selectedWithoutNomination++;
    // werift's way to select: the nominated flag, then its own completion (sets `nominated`,
    // drops waiting pairs, ends connect()).
    pair.nominated = true;
    complete(pair);
  };
  const arm = (): void => {
    if (timer !== undefined || !waitingForNomination() || !connection.checkList.some(usable)) return;
    timer = setTimeout(select, waitMs);
    timer.unref();
  };

  internals.checkComplete = (pair) => {
    complete(pair);
    if (ours !== undefined && connection.nominated === ours && pair !== ours && pair.remoteNominated && pair.nominated && valid(connection, pair)) {
      // The peer nominated after all, another pair: werift never replaces `nominated`, we do.
      connection.nominated = pair;
      ours = undefined;
      counters.replacedByNomination++;
      options.onReplaced?.();
    } else if (pair === ours && pair.remoteNominated) {
      ours = undefined; // nominated by the peer too: an ordinary selection now
    }
    arm();
  };
  internals.checkIncoming = (...args) => {
    incoming(...args);
    arm();
  };
  connection.stateChanged.subscribe((state) => {
    if (state === 'closed' && timer !== undefined) clearTimeout(timer);
  });
}

/** Our check of the pair succeeded, in the current ICE generation (as werift's checkComplete requires). */
function valid(connection: IceConnection, pair: CandidatePair): boolean {
  return pair.state === CandidatePairState.SUCCEEDED && (pair.remoteCandidate.generation === undefined || pair.remoteCandidate.generation === connection.generation);
}
