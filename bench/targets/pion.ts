/**
 * Pion (Go, the stack LiveKit builds on) as the benchmark's second peer: pion/main.go echoes each
 * session's RTP. Built offline on first use from Debian's Pion sources (GOPATH mode, no module
 * proxy) into bench/.cache/pion, again whenever main.go changes; HTTP signalling, the client's
 * candidates trickled.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadSession } from '../clients/loadSession.js';
import { ServerProcess } from '../lib/serverProcess.js';
import type { RunningTarget, ServerSession, Target, TargetOptions } from './target.js';

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), 'pion');
const CACHE = join(dirname(fileURLToPath(import.meta.url)), '..', '.cache', 'pion');
const BINARY = join(CACHE, 'pionecho');
/** Where Debian's golang-*-dev packages put their sources. */
const DEBIAN_GOPATH = '/usr/share/gocode';
export const PION_INSTALL_COMMAND = 'sudo apt-get update && sudo apt-get install -y golang-go golang-github-pion-webrtc.v3-dev';

/** The Pion echo binary, built when missing or older than its source; throws with the install command when Go or Pion's sources are missing. */
export function ensurePion(log: (line: string) => void = () => undefined): string {
  const main = join(SOURCE, 'main.go');
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= statSync(main).mtimeMs) return BINARY;
  if (!existsSync('/usr/bin/go') || !existsSync(join(DEBIAN_GOPATH, 'src/github.com/pion/webrtc'))) {
    throw new Error(`The benchmark's Pion peer needs Go and Debian's Pion sources. Install them with:\n  ${PION_INSTALL_COMMAND}`);
  }
  log('building the Pion echo server (go build, offline)...');
  // GOPATH mode maps github.com/pion/webrtc/v3 onto Debian's folder only when go.mod sits in the package folder.
  const pkg = join(CACHE, 'gopath', 'src', 'pionecho');
  mkdirSync(pkg, { recursive: true });
  for (const file of ['main.go', 'go.mod']) copyFileSync(join(SOURCE, file), join(pkg, file));
  execFileSync('/usr/bin/go', ['build', '-o', BINARY, '.'], {
    cwd: pkg,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 300_000,
    env: { ...process.env, GO111MODULE: 'off', GOPATH: `${join(CACHE, 'gopath')}:${DEBIAN_GOPATH}`, GOCACHE: join(CACHE, 'go-build'), GOFLAGS: '' },
  });
  return BINARY;
}

export const pion: Target = {
  name: 'pion',
  async start(options: TargetOptions): Promise<RunningTarget> {
    const binary = ensurePion();
    const { server, match } = await ServerProcess.start({
      command: binary,
      args: ['--port', '0'],
      core: options.core,
      readyLine: /Pion echo ready on (http:\/\/\S+)/,
      timeoutMs: 15_000,
    });
    const url = match?.[1] ?? '';
    return {
      pid: server.pid,
      url,
      open: (session) => openEcho(url, session),
      async controlRoundTrip() {
        const r = await fetch(`${url}/ping`);
        if ((await r.text()) !== 'pong') throw new Error('Pion did not answer its ping');
      },
      stop: () => server.stop(),
      output: () => server.output(),
    };
  },
};

async function openEcho(url: string, session: LoadSession): Promise<ServerSession> {
  const offer = await session.createOffer();
  const res = await fetch(`${url}/offer`, { method: 'POST', body: offer });
  if (!res.ok) throw new Error(`pion /offer: ${res.status} ${await res.text()}`);
  const { id, sdp } = (await res.json()) as { id: number; sdp: string };
  session.setAnswer(sdp);
  // Our candidates once the answer is applied (as for Janus: the DTLS roles are known then):
  // those found so far at once, later ones as they come.
  session.onLocalCandidate((c) => {
    void fetch(`${url}/candidate?id=${id}`, { method: 'POST', body: JSON.stringify(c) })
      .then((r) => r.arrayBuffer())
      .catch(() => undefined);
  });
  return {
    async close() {
      await fetch(`${url}/close?id=${id}`, { method: 'POST' })
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
    },
  };
}
