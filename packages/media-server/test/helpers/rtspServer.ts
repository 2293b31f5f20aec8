/**
 * A test RTSP server that nobody here wrote: GStreamer's gst-rtsp-server, driven by
 * rtsp_server.py through Debian's Python bindings, on 127.0.0.1. What its clients do (connect,
 * DESCRIBE, PLAY, TEARDOWN, close) is read from its log lines, so a test can check that a
 * player sent TEARDOWN.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./rtsp_server.py', import.meta.url));

/** One line of the server's log. */
export interface RtspServerEvent {
  readonly event: 'listening' | 'connected' | 'describe' | 'play' | 'teardown' | 'closed' | 'failed';
  readonly uri?: string;
  readonly port?: number;
}

export class RtspTestServer {
  readonly events: RtspServerEvent[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  /** Starts the server; resolves once it listens. */
  static async start(): Promise<RtspTestServer> {
    const child = spawn('/usr/bin/python3', ['-I', SCRIPT], { stdio: ['ignore', 'pipe', 'ignore'] });
    const events: RtspServerEvent[] = [];
    const lines = createInterface({ input: child.stdout! });
    const port = await new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the RTSP test server exited with code ${code} (is gir1.2-gst-rtsp-server-1.0 installed?)`)));
      lines.on('line', (line) => {
        const event = JSON.parse(line) as RtspServerEvent;
        events.push(event);
        if (event.event === 'listening' && event.port !== undefined) resolve(event.port);
      });
    });
    const server = new RtspTestServer(child, port);
    server.events.push(...events);
    lines.removeAllListeners('line');
    lines.on('line', (line) => server.events.push(JSON.parse(line) as RtspServerEvent));
    return server;
  }

  /** The URL of a mount: /h264, /vp8, /short. */
  url(mount: string): string {
    return `rtsp://127.0.0.1:${this.port}${mount}`;
  }

  /** How many times `event` happened (on `mount`, when given). */
  count(event: RtspServerEvent['event'], mount?: string): number {
    return this.events.filter((e) => e.event === event && (mount === undefined || e.uri === mount)).length;
  }

  /** Freezes the server whole (SIGSTOP), as a camera that hangs with its connection open; `thaw` undoes it. */
  freeze(): void {
    this.child.kill('SIGSTOP');
  }

  thaw(): void {
    this.child.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    await once(this.child, 'exit');
  }
}
