/**
 * Node WebRTC peers that no one here wrote: libdatachannel through node-datachannel, run in a
 * child process (ndcPeersProcess.ts) so that the server's memory and descriptors are measured
 * alone, and so that libdatachannel's threads end with that process. Each peer offers Opus and
 * VP8, sendrecv, and trickles its candidates.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Parent → child. */
export type PeersCommand =
  | { type: 'open'; id: number }
  | { type: 'answer'; id: number; sdp: string }
  | { type: 'candidate'; id: number; candidate: string; mid: string }
  | { type: 'close'; id: number };
/** Child → parent. */
export type PeersEvent =
  | { type: 'offer'; id: number; sdp: string }
  | { type: 'candidate'; id: number; candidate: string; mid: string }
  | { type: 'state'; id: number; state: string };

export interface RemotePeer {
  offer: Promise<string>;
  onCandidate(listener: (candidate: string, mid: string) => void): void;
  answer(sdp: string): void;
  addRemoteCandidate(candidate: string, mid: string): void;
  /** Resolves on 'connected'; rejects on 'failed' or after `timeoutMs`. */
  connected(timeoutMs?: number): Promise<void>;
  close(): void;
}

interface PeerRecord {
  resolveOffer(sdp: string): void;
  candidateListener?: (candidate: string, mid: string) => void;
  state: string;
  onState?: () => void;
}

export class NdcPeers {
  private readonly child: ChildProcess;
  private readonly peers = new Map<number, PeerRecord>();
  private nextId = 1;

  constructor() {
    this.child = fork(fileURLToPath(new URL('./ndcPeersProcess.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: PeersEvent) => this.receive(m));
  }

  open(): RemotePeer {
    const id = this.nextId++;
    let resolveOffer: (sdp: string) => void = () => undefined;
    const offer = new Promise<string>((resolve) => (resolveOffer = resolve));
    const record: PeerRecord = { resolveOffer, state: 'new' };
    this.peers.set(id, record);
    this.send({ type: 'open', id });
    return {
      offer,
      onCandidate: (listener) => (record.candidateListener = listener),
      answer: (sdp) => this.send({ type: 'answer', id, sdp }),
      addRemoteCandidate: (candidate, mid) => this.send({ type: 'candidate', id, candidate, mid }),
      connected: (timeoutMs = 10_000) =>
        new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`peer ${id}: not connected within ${timeoutMs} ms (state ${record.state})`)), timeoutMs);
          record.onState = () => {
            if (record.state === 'connected') resolve();
            else if (record.state === 'failed') reject(new Error(`peer ${id}: ICE/DTLS failed`));
            else return;
            clearTimeout(timer);
          };
          record.onState();
        }),
      close: () => {
        this.peers.delete(id);
        this.send({ type: 'close', id });
      },
    };
  }

  /** Ends the child process (and every peer in it). */
  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.disconnect();
    const kill = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(kill);
  }

  private send(command: PeersCommand): void {
    this.child.send(command);
  }

  private receive(event: PeersEvent): void {
    const record = this.peers.get(event.id);
    if (!record) return;
    if (event.type === 'offer') record.resolveOffer(event.sdp);
    else if (event.type === 'candidate') record.candidateListener?.(event.candidate, event.mid);
    else {
      record.state = event.state;
      record.onState?.();
    }
  }
}
