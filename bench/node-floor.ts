/**
 * The floor Node itself puts under a media server: a bare UDP echo that does per packet only
 * what SRTP forwarding cannot avoid in Node (receive, AES-GCM decrypt and encrypt with node:crypto,
 * send), in a child process pinned like the bench's server (core 1, this process on core 0), at
 * several packet rates. Our server's
 * CPU per packet is best read against it (docs/performance.md).
 *
 *   npx tsx bench/node-floor.ts [--seconds 4]
 */
import { fork } from 'node:child_process';
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pinProcess, pinSelf } from './lib/cpuPinning.js';
import { cpuSeconds } from './lib/procstat.js';

const HEADER = 12;
const TAG = 16;

/** The child: echoes each datagram after an SRTP-like open and seal (one cipher object each, as ours). */
function echo(): void {
  const key = createSecretKey(randomBytes(16));
  const iv = randomBytes(12);
  const socket = createSocket('udp4');
  socket.on('message', (packet, from) => {
    const decipher = createDecipheriv('aes-128-gcm', key, iv);
    decipher.setAAD(packet.subarray(0, HEADER));
    const plain = decipher.update(packet.subarray(HEADER));
    try {
      decipher.final(); // the sender's bytes are not really sealed: the tag check fails, as cheaply
    } catch {
      // expected
    }
    const cipher = createCipheriv('aes-128-gcm', key, iv);
    cipher.setAAD(packet.subarray(0, HEADER));
    const sealed = cipher.update(plain);
    cipher.final();
    const out = Buffer.allocUnsafe(HEADER + sealed.length + TAG);
    packet.copy(out, 0, 0, HEADER);
    sealed.copy(out, HEADER);
    cipher.getAuthTag().copy(out, HEADER + sealed.length);
    socket.send(out, from.port, from.address);
  });
  socket.bind(0, '127.0.0.1', () => process.send?.(socket.address().port));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '4' } } });
  const seconds = Number(values.seconds);
  pinSelf(0);
  const child = fork(fileURLToPath(import.meta.url), ['--echo'], { execArgv: ['--import', 'tsx'] });
  const port = await new Promise<number>((resolve) => child.once('message', (p) => resolve(p as number)));
  const pid = child.pid ?? 0;
  pinProcess(pid, 1);
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  let echoed = 0;
  socket.on('message', () => echoed++);
  const packet = Buffer.alloc(1200 + HEADER + TAG, 7);
  console.log('| packets/s | sent every | packets each time | packets echoed | echo process CPU µs per packet |\n|---:|---:|---:|---:|---:|');
  // At low rates each packet wakes the echo process on its own; at high rates a wake-up finds several.
  for (const [rate, everyMs] of [[200, 5], [2000, 1], [2000, 5], [20_000, 1], [40_000, 1]] as const) {
    const cpuBefore = cpuSeconds(pid);
    const before = echoed;
    const start = performance.now();
    let sent = 0;
    while (performance.now() - start < seconds * 1000) {
      const due = Math.floor(((performance.now() - start) / 1000) * rate);
      for (; sent < due; sent++) socket.send(packet, port, '127.0.0.1');
      await sleep(everyMs);
    }
    await sleep(200);
    const cpuMicros = (cpuSeconds(pid) - cpuBefore) * 1e6;
    const count = echoed - before;
    console.log(`| ${rate} | ${everyMs} ms | ${(rate * everyMs) / 1000} | ${count} | ${count > 0 ? (cpuMicros / count).toFixed(1) : '–'} |`);
  }
  child.kill();
  socket.close();
}

if (process.argv.includes('--echo')) echo();
else await main();
