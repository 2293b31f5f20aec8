/**
 * werift's controlled ICE agent against a scripted controlling peer over UDP on 127.0.0.1.
 *
 * The peer plays what libjuice does after its nomination race (iceNomination.ts): its first
 * check is retransmitted with the same transaction ID, both copies are answered, it answers our
 * checks, and it never sends USE-CANDIDATE. werift alone never selects a pair then.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { classes, Connection, Message, methods, parseMessage } from 'werift';
import { selectValidPairWithoutNomination, type NominationCounters } from '../../src/webrtc/iceNomination.js';
import { gatherOnly, withoutDefaultStun } from '../../src/webrtc/weriftPatches.js';

const WAIT_MS = 400;
const PEER_UFRAG = 'peer';
const PEER_PWD = 'peer-password-0123456789';

/** A controlling peer on one UDP socket: answers the agent's checks, sends its own when told. */
class ScriptedPeer {
  readonly responses: string[] = [];
  private constructor(private readonly socket: Socket, private readonly agent: Connection, private readonly to: [string, number]) {
    socket.on('message', (data, rinfo) => {
      const message = parseMessage(data);
      if (!message || message.messageMethod !== methods.BINDING) return;
      if (message.messageClass === classes.REQUEST) {
        const response = new Message(methods.BINDING, classes.RESPONSE, message.transactionId)
          .setAttribute('XOR-MAPPED-ADDRESS', [rinfo.address, rinfo.port])
          .addMessageIntegrity(Buffer.from(PEER_PWD))
          .addFingerprint();
        socket.send(response.bytes, rinfo.port, rinfo.address);
      } else if (message.messageClass === classes.RESPONSE) {
        this.responses.push(message.transactionIdHex);
      }
    });
  }

  static async open(agent: Connection): Promise<ScriptedPeer> {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    const host = agent.localCandidates[0];
    assert.ok(host, 'the agent gathered a host candidate');
    return new ScriptedPeer(socket, agent, [host.host, host.port]);
  }

  /** Sends one binding request (`copies` times, as a retransmission does) and returns its ID. */
  check(options: { nominate: boolean; priority: number; copies?: number }): string {
    const request = new Message(methods.BINDING, classes.REQUEST, randomBytes(12))
      .setAttribute('USERNAME', `${this.agent.localUsername}:${PEER_UFRAG}`)
      .setAttribute('PRIORITY', options.priority)
      .setAttribute('ICE-CONTROLLING', 0xffffffffffffn);
    if (options.nominate) request.setAttribute('USE-CANDIDATE', null);
    request.addMessageIntegrity(Buffer.from(this.agent.localPassword)).addFingerprint();
    for (let i = 0; i < (options.copies ?? 1); i++) this.socket.send(request.bytes, this.to[1], this.to[0]);
    return request.transactionIdHex;
  }

  get port(): number {
    return this.socket.address().port;
  }

  close(): void {
    this.socket.close();
  }
}

async function controlledAgent(counters: NominationCounters, onReplaced?: () => void): Promise<Connection> {
  const agent = new Connection(false, {
    useIpv6: false,
    additionalHostAddresses: ['127.0.0.1'],
    interfaceAddresses: { udp4: '127.0.0.1' },
  });
  withoutDefaultStun(agent);
  gatherOnly(agent, ['127.0.0.1']);
  selectValidPairWithoutNomination(agent, counters, { waitMs: WAIT_MS, onReplaced });
  await agent.gatherCandidates();
  agent.setRemoteParams({ iceLite: false, usernameFragment: PEER_UFRAG, password: PEER_PWD });
  return agent;
}

const counters = (): NominationCounters => ({ selectedWithoutNomination: 0, replacedByNomination: 0 });

async function until(what: string, condition: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

test('a peer that never nominates: after the grace period the valid pair is selected and ICE connects', async () => {
  const count = counters();
  const agent = await controlledAgent(count);
  const peer = await ScriptedPeer.open(agent);
  try {
    const connected = agent.connect();
    const id = peer.check({ nominate: false, priority: 1000, copies: 2 });
    await until('both copies of the check answered', () => peer.responses.filter((r) => r === id).length === 2, 2000);
    const pair = agent.checkList.find((p) => p.remoteAddr[1] === peer.port);
    await until("the agent's own check of the pair", () => pair?.state === 3 /* SUCCEEDED */, 2000);
    assert.equal(agent.nominated, undefined, 'no pair before the grace period (the peer may still nominate)');
    await until('a selected pair', () => agent.nominated !== undefined, WAIT_MS * 3);
    assert.equal(agent.nominated, pair);
    assert.equal(count.selectedWithoutNomination, 1);
    await connected;
    assert.equal(agent.state, 'connected');
  } finally {
    peer.close();
    await agent.close();
  }
});

test('a nomination selects its pair at once, without the fallback', async () => {
  const count = counters();
  const agent = await controlledAgent(count);
  const peer = await ScriptedPeer.open(agent);
  try {
    const connected = agent.connect();
    peer.check({ nominate: true, priority: 1000 });
    await until('a selected pair', () => agent.nominated !== undefined, WAIT_MS / 2);
    assert.equal(agent.nominated?.remoteAddr[1], peer.port);
    await connected;
    await sleep(WAIT_MS * 1.5);
    assert.deepEqual(count, { selectedWithoutNomination: 0, replacedByNomination: 0 });
  } finally {
    peer.close();
    await agent.close();
  }
});

test("a later nomination of another pair replaces the one selected without nomination", async () => {
  const count = counters();
  let changes = 0;
  const agent = await controlledAgent(count, () => changes++);
  const first = await ScriptedPeer.open(agent);
  const second = await ScriptedPeer.open(agent);
  try {
    const connected = agent.connect();
    first.check({ nominate: false, priority: 2000 });
    second.check({ nominate: false, priority: 1000 });
    await until('a selected pair', () => agent.nominated !== undefined, WAIT_MS * 3);
    assert.equal(agent.nominated?.remoteAddr[1], first.port, 'the higher-priority valid pair');
    await connected;
    second.check({ nominate: true, priority: 1000 });
    await until('the nominated pair selected', () => agent.nominated?.remoteAddr[1] === second.port, 2000);
    assert.deepEqual(count, { selectedWithoutNomination: 1, replacedByNomination: 1 });
    assert.equal(changes, 1, 'the change of selected pair is reported');
  } finally {
    first.close();
    second.close();
    await agent.close();
  }
});
