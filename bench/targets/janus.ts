/**
 * Janus Gateway's EchoTest, the same workload as our Hello World (the peer's media sent straight
 * back), driven over its HTTP API. Janus answers with its candidates in the SDP (half-trickle) and
 * starts ICE once the client's candidates are complete (trickled with `completed`).
 */
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { LoadSession } from '../clients/loadSession.js';
import { ServerProcess } from '../lib/serverProcess.js';
import { JanusApi } from './janusApi.js';
import { ensureJanus, JANUS_BINARY, writeJanusConfig } from './janusSetup.js';
import type { RunningTarget, ServerSession, Target, TargetOptions } from './target.js';

/** Media ports; far from the ephemeral range our server's sockets come from. */
const RTP_PORTS = '40000-44999';

export const janus: Target = {
  name: 'janus',
  async start(options: TargetOptions): Promise<RunningTarget> {
    ensureJanus();
    const config = writeJanusConfig(await freeTcpPort(), RTP_PORTS);
    const url = `http://127.0.0.1:${config.httpPort}/janus`;
    const api = new JanusApi(url);
    let server: ServerProcess;
    try {
      ({ server } = await ServerProcess.start({
        command: JANUS_BINARY,
        args: ['-C', config.configFile, '-F', config.folder, '--disable-colors'],
        core: options.core,
        readyProbe: () => api.ping(),
        timeoutMs: 20_000,
      }));
    } catch (e) {
      rmSync(config.folder, { recursive: true, force: true });
      throw e;
    }
    return {
      pid: server.pid,
      url,
      open: (session) => openEchoTest(api, session),
      async controlRoundTrip() {
        if (!(await api.ping())) throw new Error('Janus did not answer its ping');
      },
      async stop() {
        await server.stop();
        rmSync(config.folder, { recursive: true, force: true });
      },
      output: () => server.output(),
    };
  },
};

async function openEchoTest(api: JanusApi, session: LoadSession): Promise<ServerSession> {
  const offer = await session.createOffer();
  const id = await api.createSession();
  const handle = await api.attachEchoTest(id);
  await api.sendOffer(id, handle, offer);
  const answer = await api.waitAnswer(id, 20_000, (candidate, mid) => session.addRemoteCandidate(candidate, mid));
  session.setAnswer(answer);
  // Our candidates only once the answer is applied: Janus, the DTLS client, would otherwise start
  // the handshake before libdatachannel knows its fingerprint, and libdatachannel fails the
  // connection instead of waiting (a browser waits). Janus connects once they are `completed`.
  await Promise.race([session.gatheringComplete(), new Promise((r) => setTimeout(r, 3000))]);
  await api.trickle(id, handle, [...session.candidates(), { completed: true }]);
  return { close: () => api.destroy(id).catch(() => undefined) };
}

/** A TCP port nobody listens on now (asked of the kernel, then released). */
async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
