/** The budgets' pure parts: defaults from the machine, the shared socket counts, client identity, tokens. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { defaultConfig, loadConfig, usage } from '../../src/config/config.js';
import { derivedBudgets, descriptorWarning, machineFacts, openFilesLimit } from '../../src/config/machine.js';
import { SocketBudget } from '../../src/limits/SocketBudget.js';
import { authTokens, matchingToken } from '../../src/rpc/auth.js';
import { clientAddress, clientIds } from '../../src/rpc/clients.js';

const GB = 1024 ** 3;

test('defaults derive from the descriptor limit and memory: sockets and sessions leave 10 % of the descriptors free', () => {
  assert.deepEqual(derivedBudgets({ openFilesLimit: 20_000, memoryBytes: 24 * GB }), {
    maxSessions: 1974, maxUdpSockets: 15795, maxEndpoints: 12288, maxPipelines: 12288, maxObjects: 49152,
    maxSessionsPerClient: 987, maxObjectsPerClient: 6144,
  });
  // The usual soft limit: the descriptors bound the endpoints, not the memory.
  assert.deepEqual(derivedBudgets({ openFilesLimit: 1024, memoryBytes: 8 * GB }), {
    maxSessions: 76, maxUdpSockets: 614, maxEndpoints: 614, maxPipelines: 614, maxObjects: 2456,
    maxSessionsPerClient: 38, maxObjectsPerClient: 307,
  });
  for (const files of [64, 1024, 20_000, 1_048_576]) {
    const b = derivedBudgets({ openFilesLimit: files, memoryBytes: 2 * GB });
    assert.ok(b.maxUdpSockets + b.maxSessions <= Math.max(files * 0.9, 64 + 16), `${files}: ${b.maxUdpSockets} + ${b.maxSessions}`);
    assert.ok(b.maxEndpoints <= b.maxUdpSockets && b.maxEndpoints * 1024 * 1024 <= 1 * GB, `${files}: ${b.maxEndpoints} endpoints`);
  }
});

test('budgets raised past the descriptor limit are warned about at start', () => {
  const facts = { openFilesLimit: 1024, memoryBytes: 8 * GB };
  assert.equal(descriptorWarning(derivedBudgets(facts), facts), undefined, 'the defaults fit');
  assert.match(descriptorWarning({ maxSessions: 100, maxUdpSockets: 900 }, facts) ?? '', /^900 media sockets and 100 sessions \(and 256 for the process\), the server can run out of its 1024 file descriptors/);
  assert.match(descriptorWarning({ maxSessions: 10, maxUdpSockets: 0 }, facts) ?? '', /^with no limit on sessions or media sockets/);
});

test('this machine: the limit read from /proc/self/limits, and the defaults built from it', () => {
  const facts = machineFacts();
  assert.equal(facts.openFilesLimit, openFilesLimit());
  assert.ok(facts.openFilesLimit >= 64 && facts.memoryBytes > 0);
  const derived = derivedBudgets(facts);
  for (const [key, value] of Object.entries(derived)) assert.equal(defaultConfig[key as keyof typeof derived], value, key);
  assert.match(usage(), /--max-udp-sockets\s+KURENTO_MAX_UDP_SOCKETS\s+media UDP sockets in all/);
  assert.equal(loadConfig(['--max-endpoints', '7'], { KURENTO_MAX_SESSIONS_PER_CLIENT: '3' }).config.maxEndpoints, 7);
  assert.equal(loadConfig([], { KURENTO_MAX_SESSIONS_PER_CLIENT: '3' }).config.maxSessionsPerClient, 3);
});

test('socket counts are shared by threads: leases taken in a worker count against the same budget, and a dead host is forfeited', async () => {
  const shared = SocketBudget.shared(3, 2);
  const main = new SocketBudget(shared, 0);
  const lease = main.lease(1);
  // A real thread leases two of the same budget.
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     const counts = new Int32Array(workerData.buffer);
     Atomics.add(counts, 0, 2); Atomics.add(counts, 3, 2);
     parentPort.postMessage('leased');`,
    { eval: true, workerData: shared },
  );
  await new Promise((resolve) => worker.once('message', resolve));
  await worker.terminate();
  assert.equal(main.used, 3);
  assert.equal(main.usedBy(1), 2);
  assert.throws(() => main.lease(1), /Server budget reached: 3 of 3 media UDP sockets in use \(--max-udp-sockets\)/);
  assert.equal(main.used, 3, 'a refused lease takes nothing');
  main.forfeit(1);
  assert.deepEqual([main.used, main.usedBy(1)], [1, 0]);
  lease.resize(2);
  assert.deepEqual([main.used, main.usedBy(0)], [2, 2]);
  lease.release();
  lease.release();
  lease.resize(5);
  assert.equal(main.used, 0, 'released once, and a late resize counts nothing');
  assert.equal(new SocketBudget(SocketBudget.shared(0, 1), 0).lease(1000).count, 1000, '0: no limit');
});

test('clients: IPv4 as is (mapped too), IPv6 by its /64; a token is a client of its own', () => {
  assert.equal(clientAddress('127.0.0.2'), '127.0.0.2');
  assert.equal(clientAddress('::ffff:10.1.2.3'), '10.1.2.3');
  assert.equal(clientAddress('2001:db8:0:1:aaaa::1'), '2001:db8:0:1::/64');
  assert.equal(clientAddress('2001:0db8:0000:0001:ffff:ffff:ffff:ffff'), '2001:db8:0:1::/64');
  assert.equal(clientAddress('::1'), '0:0:0:0::/64');
  assert.equal(clientAddress(''), 'unknown');
  assert.deepEqual(clientIds('::ffff:10.1.2.3', 1), [{ key: 'address 10.1.2.3', label: '10.1.2.3' }, { key: 'token 1', label: 'token #2' }]);
});

test('tokens: a comma-separated list; the one presented is found whichever it is', () => {
  const tokens = authTokens(' alpha, beta ,,gamma');
  assert.deepEqual(tokens, ['alpha', 'beta', 'gamma']);
  assert.equal(matchingToken(tokens, 'beta'), 1);
  assert.equal(matchingToken(tokens, 'gamma'), 2);
  assert.equal(matchingToken(tokens, 'delta'), undefined);
  assert.equal(matchingToken(tokens, undefined), undefined);
  assert.equal(matchingToken([], 'alpha'), undefined);
});
