/**
 * Runs a tutorial as its README says, `npm start` (Hello World) or `npm start -w tutorials/<name>`
 * from the repository root, as a child process in its own process group (npm → sh → tsx →
 * node), so that stopping it stops all of them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository root, where npm start runs. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Which tutorial to start: the title its ready line names, and its workspace (none: the root's `npm start`). */
export interface Launch {
  title: string;
  workspace?: string;
}

/** A tutorial started as a child process. */
export interface Started {
  /** The page's address, from the ready line. */
  url: string;
  /** The media server's address, from its ready line (or the --ws-uri given). */
  kurentoUrl: string;
  /** Everything printed so far, stdout and stderr. */
  output(): string;
  /** SIGTERM to the whole group; resolves once every process in it is gone (SIGKILL after 15 s). */
  stop(): Promise<void>;
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Fails, saying what to do, when one of `ports` is taken (by an `npm start` left running, say). */
export async function assertPortsFree(ports: readonly number[]): Promise<void> {
  for (const port of ports) {
    if (await listening(port)) {
      throw new Error(`port ${port} is busy: something already listens on it (an "npm start" left running?). Stop it, then run these tests again.`);
    }
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined || !groupAlive(pid)) return;
  process.kill(-pid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (groupAlive(pid)) {
    process.kill(-pid, 'SIGKILL');
    throw new Error('npm start did not stop within 15 s of SIGTERM (killed)');
  }
}

/** The npm command line of `launch` with `args` for the tutorial. */
function npmArgs(launch: Launch, args: readonly string[]): string[] {
  return ['start', ...(launch.workspace ? ['-w', launch.workspace] : []), ...(args.length > 0 ? ['--', ...args] : [])];
}

/**
 * `npm start [-w workspace] -- ...args`; resolves when both ready lines are printed (the media
 * server's, unless `--ws-uri` is given, and the page's), rejects with the output if it exits or
 * hangs first.
 */
export async function npmStart(launch: Launch, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<Started> {
  const child = spawn('npm', npmArgs(launch, args), {
    cwd: ROOT,
    detached: true, // its own process group
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = () => stopGroup(child);
  const ready = new RegExp(`${launch.title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ready on (https://\\S+)`);
  try {
    const [url, kurentoUrl] = await new Promise<[string, string]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start printed no ready lines within ${timeoutMs} ms`)), timeoutMs);
      const check = (): void => {
        const page = ready.exec(output)?.[1];
        const media = /(?:media server ready on|Using the media server at) (wss?:\/\/\S+)/.exec(output)?.[1];
        if (page && media) {
          clearTimeout(timer);
          resolve([page, media]);
        }
      };
      child.stdout?.on('data', check);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`npm start exited (${code ?? signal}) before it was ready`));
      });
    });
    return { url, kurentoUrl, output: () => output, stop };
  } catch (e) {
    await stop().catch(() => undefined);
    throw new Error(`${(e as Error).message}; its output:\n${output}`);
  }
}

/** `npm start [-w workspace] -- ...args` expected to end by itself (within 30 s): its exit code and output. */
export function npmStartToEnd(launch: Launch, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', npmArgs(launch, args), { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      void stopGroup(child).catch(() => undefined);
      reject(new Error(`npm start -- ${args.join(' ')} did not end within 30 s; its output:\n${output}`));
    }, 30_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
