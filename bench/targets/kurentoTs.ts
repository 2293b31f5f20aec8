/**
 * Our media server, driven as Kurento's Hello World does it: per session a MediaPipeline with a
 * WebRtcEndpoint connected to itself, the offer processed, candidates trickled both ways through
 * the typed SDK. The server is its own process so that its CPU and memory are its own.
 */
import { join } from 'node:path';
import { KurentoClient } from '@kurento-ts/client';
import WebSocket from 'ws';
import { nativeStatus, NATIVE_ENV } from '../../packages/native/src/index.js';
import type { LoadSession } from '../clients/loadSession.js';
import { ServerProcess } from '../lib/serverProcess.js';
import type { RunningTarget, ServerSession, Target, TargetOptions } from './target.js';

const READY = /Kurento-TS media server ready on (wss?:\/\/\S+)/;

/**
 * Our server on one media path: `native` (the addon's sockets and SRTP, the default when it is
 * built) or the TypeScript fallback (KURENTO_NATIVE=0). The server's ServerManager says which
 * path it runs; a mismatch fails the start rather than measuring the wrong thing.
 */
function kurentoTsTarget(name: string, native: boolean, lanes = true): Target {
  return {
    name,
    async start(options: TargetOptions): Promise<RunningTarget> {
      const { server, match } = await ServerProcess.start({
        command: process.execPath,
        // BENCH_SERVER_NODE_OPTIONS: extra Node flags for the server only (e.g. --cpu-prof, which NODE_OPTIONS refuses).
        // As `npm run media-server` starts it (packages/media-server/src/main.ts says why).
        args: ['--max-semi-space-size=4', ...(process.env['BENCH_SERVER_NODE_OPTIONS']?.split(/\s+/).filter(Boolean) ?? []), '--import', 'tsx', join(options.root, 'packages/media-server/src/main.ts'), '--port', '0', '--network-interfaces', '127.0.0.1', '--log-level', 'warn', '--media-workers', String(options.mediaWorkers)],
        cwd: options.root,
        env: { [NATIVE_ENV]: native ? '1' : '0', KURENTO_LANES: lanes ? '1' : '0' },
        core: options.core,
        readyLine: READY,
        timeoutMs: 30_000,
      });
      const url = match?.[1] ?? '';
      // No reconnection: a dropped control connection during a benchmark is a failure to report.
      const kurento = await KurentoClient.connect(url, { reconnect: false, requestTimeoutMs: 60_000 }).catch(async (e: unknown) => {
        await server.stop();
        throw e;
      });
      const expected = native ? 'media-path:native' : 'media-path:typescript';
      const info = (await (await kurento.getServerManager()).getInfo()) as { capabilities?: readonly string[] };
      if (!info.capabilities?.includes(expected)) {
        await kurento.close().catch(() => undefined);
        await server.stop();
        throw new Error(`${name}: the server does not run the ${native ? 'native' : 'TypeScript'} media path (capabilities: ${info.capabilities?.join(', ')}; ${native ? nativeStatus().reason : ''})`);
      }
      const control = await ControlSocket.open(url);
      return {
        pid: server.pid,
        url,
        open: (session) => openHelloWorld(kurento, session),
        controlRoundTrip: () => control.ping(),
        async stop() {
          control.close();
          await kurento.close().catch(() => undefined);
          await server.stop();
        },
        output: () => server.output(),
      };
    },
  };
}

/** The native media path (the addon built). */
export const kurentoTs = kurentoTsTarget('kurento-ts', true);
/** The native path without forwarding lanes (KURENTO_LANES=0): every packet through the TypeScript graph, to show what lanes buy. */
export const kurentoTsNoLanes = kurentoTsTarget('kurento-ts-no-lanes', true, false);
/** The TypeScript media path, as when the addon cannot build. */
export const kurentoTsFallback = kurentoTsTarget('kurento-ts-fallback', false);

async function openHelloWorld(kurento: KurentoClient, session: LoadSession): Promise<ServerSession> {
  const offer = await session.createOffer();
  const pipeline = await kurento.createMediaPipeline();
  try {
    const endpoint = await pipeline.create('WebRtcEndpoint');
    await endpoint.on('IceCandidateFound', (event) => session.addRemoteCandidate(event.candidate.candidate, event.candidate.sdpMid));
    await endpoint.connect(endpoint);
    const answer = await endpoint.processOffer(offer);
    session.setAnswer(answer);
    session.onLocalCandidate((c) => void endpoint.addIceCandidate(c).catch(() => undefined));
    await endpoint.gatherCandidates();
  } catch (e) {
    await pipeline.release().catch(() => undefined);
    throw e;
  }
  return { close: () => pipeline.release().catch(() => undefined) };
}

/** A bare JSON-RPC connection for timing `ping` round trips (the SDK keeps its pings to itself). */
class ControlSocket {
  private nextId = 1;
  private readonly waiting = new Map<number, () => void>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const id = (JSON.parse(data.toString()) as { id?: number }).id;
      if (id !== undefined) this.waiting.get(id)?.();
      if (id !== undefined) this.waiting.delete(id);
    });
  }

  static async open(url: string): Promise<ControlSocket> {
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return new ControlSocket(socket);
  }

  ping(): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method: 'ping', params: { interval: 0 } }));
    });
  }

  close(): void {
    this.socket.close();
  }
}
