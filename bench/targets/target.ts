/** What the benchmark needs from a system under test: a server process and a way to signal one echo session. */
import type { LoadSession } from '../clients/loadSession.js';

export interface TargetOptions {
  /** Core to pin the server to (undefined: not pinned). */
  core: number | undefined;
  /** Repository root, for our server's entry point. */
  root: string;
  /** Our server's media worker threads (`--media-workers`); Janus ignores it. */
  mediaWorkers: number;
}

/** One signalled echo session on the server; `close` ends it there. */
export interface ServerSession {
  close(): Promise<void>;
}

export interface RunningTarget {
  /** The server's process id, whose CPU and RSS are measured. */
  readonly pid: number;
  /** Where the server listens for signalling, for the report. */
  readonly url: string;
  /**
   * Signals one session as an application would: the client's offer in, the answer and the
   * candidates back. Resolves once the answer is applied (the connection may still be coming up).
   */
  open(session: LoadSession): Promise<ServerSession>;
  /**
   * One request on the control plane that touches no session (our JSON-RPC `ping`, Janus's HTTP
   * `ping`), on a connection of its own: how fast the control plane answers under media load.
   */
  controlRoundTrip(): Promise<void>;
  /** Ends the signalling connection and the server process. */
  stop(): Promise<void>;
  /** The server's last output lines, for error reports. */
  output(): string;
}

export interface Target {
  /** Short name used in tables and flags: 'kurento-ts' or 'janus'. */
  readonly name: string;
  start(options: TargetOptions): Promise<RunningTarget>;
}
