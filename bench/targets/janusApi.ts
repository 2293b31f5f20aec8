/**
 * The little of Janus's HTTP API the echo test needs: create a session, attach the EchoTest
 * plugin, send the offer, trickle candidates, long-poll for the answer, destroy. Every request
 * carries a transaction id; an error answer becomes an exception with Janus's reason.
 */
import { randomUUID } from 'node:crypto';

interface JanusReply {
  janus?: string;
  data?: { id?: number };
  error?: { code?: number; reason?: string };
  jsep?: { type?: string; sdp?: string };
  candidate?: { candidate?: string; sdpMid?: string; completed?: boolean };
  plugindata?: { data?: Record<string, unknown> };
}

export interface JanusCandidate {
  candidate: string;
  sdpMid: string;
  sdpMLineIndex: number;
}

export class JanusApi {
  constructor(private readonly base: string) {}

  /** Whether the server answers (used to wait for start-up). */
  async ping(): Promise<boolean> {
    const reply = await this.request('POST', this.base, { janus: 'ping' }, 1000);
    return reply.janus === 'pong';
  }

  async createSession(): Promise<number> {
    return this.id(await this.request('POST', this.base, { janus: 'create' }));
  }

  async attachEchoTest(session: number): Promise<number> {
    return this.id(await this.request('POST', `${this.base}/${session}`, { janus: 'attach', plugin: 'janus.plugin.echotest' }));
  }

  async sendOffer(session: number, handle: number, sdp: string): Promise<void> {
    await this.request('POST', `${this.base}/${session}/${handle}`, { janus: 'message', body: { audio: true, video: true }, jsep: { type: 'offer', sdp } });
  }

  async trickle(session: number, handle: number, candidates: readonly (JanusCandidate | { completed: true })[]): Promise<void> {
    await this.request('POST', `${this.base}/${session}/${handle}`, { janus: 'trickle', candidates });
  }

  /**
   * Long-polls the session's events until one carries the answer; candidates Janus trickles on
   * the way (only with full-trickle) go to `onCandidate`.
   */
  async waitAnswer(session: number, timeoutMs: number, onCandidate: (candidate: string, mid: string) => void): Promise<string> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const event = await this.request('GET', `${this.base}/${session}?maxev=1`, undefined, timeoutMs);
      if (event.jsep?.type === 'answer' && event.jsep.sdp) return event.jsep.sdp;
      const c = event.candidate;
      if (event.janus === 'trickle' && c?.candidate) onCandidate(c.candidate, c.sdpMid ?? '0');
      if (event.janus === 'hangup' || event.plugindata?.data?.['error'] !== undefined) throw new Error(`Janus refused the offer: ${JSON.stringify(event)}`);
    }
    throw new Error(`no answer from Janus in ${timeoutMs} ms`);
  }

  async destroy(session: number): Promise<void> {
    await this.request('POST', `${this.base}/${session}`, { janus: 'destroy' });
  }

  private id(reply: JanusReply): number {
    const id = reply.data?.id;
    if (reply.janus !== 'success' || id === undefined) throw new Error(`unexpected Janus reply: ${JSON.stringify(reply)}`);
    return id;
  }

  private async request(method: 'GET' | 'POST', url: string, body: Record<string, unknown> | undefined, timeoutMs = 30_000): Promise<JanusReply> {
    const response = await fetch(url, {
      method,
      body: body === undefined ? undefined : JSON.stringify({ ...body, transaction: randomUUID() }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const reply = (await response.json()) as JanusReply;
    if (reply.janus === 'error') throw new Error(`Janus error ${reply.error?.code ?? '?'}: ${reply.error?.reason ?? 'unknown'}`);
    return reply;
  }
}
