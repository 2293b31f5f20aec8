/**
 * A server under test as a child process: started pinned to a core, ready when a line of its
 * output matches (or a probe succeeds), stopped with SIGTERM and then SIGKILL. Its last output
 * lines are kept so that a failure to start says why.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { pinnedCommand } from './cpuPinning.js';

export interface StartOptions {
  command: string;
  args: readonly string[];
  core: number | undefined;
  cwd?: string;
  /** Environment variables set for the process, over this one's. */
  env?: Readonly<Record<string, string>>;
  /** Ready when a stdout/stderr line matches; the match is returned. */
  readyLine?: RegExp;
  /** Or ready when this resolves true (polled every 100 ms). */
  readyProbe?: () => Promise<boolean>;
  timeoutMs: number;
}

export class ServerProcess {
  /** Servers still running, so that an interrupted run leaves no Janus or media server behind. */
  private static readonly running = new Set<ChildProcess>();
  private readonly tail: string[] = [];
  private exited = false;

  private constructor(private readonly child: ChildProcess) {
    ServerProcess.running.add(child);
    child.once('exit', () => {
      this.exited = true;
      ServerProcess.running.delete(child);
    });
  }

  /** Kills every server still running, at once (for SIGINT/SIGTERM of the bench itself). */
  static killAll(): void {
    for (const child of ServerProcess.running) child.kill('SIGKILL');
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get alive(): boolean {
    return !this.exited;
  }

  /** The last lines the process printed. */
  output(): string {
    return this.tail.join('\n');
  }

  static async start(options: StartOptions): Promise<{ server: ServerProcess; match: RegExpMatchArray | undefined }> {
    const { command, args } = pinnedCommand(options.core, options.command, options.args);
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const server = new ServerProcess(child);
    let match: RegExpMatchArray | undefined;
    const onData = (data: Buffer) => {
      for (const line of data.toString().split('\n')) {
        if (line.trim() === '') continue;
        server.tail.push(line);
        if (server.tail.length > 40) server.tail.shift();
        if (match === undefined && options.readyLine) match = line.match(options.readyLine) ?? undefined;
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const deadline = performance.now() + options.timeoutMs;
    while (performance.now() < deadline) {
      if (server.exited) break;
      if (options.readyLine && match) return { server, match };
      if (options.readyProbe && (await options.readyProbe().catch(() => false))) return { server, match };
      await new Promise((r) => setTimeout(r, 100));
    }
    await server.stop();
    throw new Error(`${options.command} did not become ready${server.exited ? ' (it exited)' : ` in ${options.timeoutMs} ms`}; its last output:\n${server.output()}`);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }
}
