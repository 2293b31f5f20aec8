/**
 * A media worker thread (started by WorkerHost): its own ObjectRegistry, with the pipelines,
 * elements, werift peers, UDP sockets and fast path placed on it, run by ObjectOperations on the
 * main thread's messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SocketBudget } from '../limits/SocketBudget.js';
import { ObjectRegistry } from '../registry/ObjectRegistry.js';
import { createLogger, setLogLevel } from '../support/logger.js';
import { ObjectOperations, perform } from './ObjectOperations.js';
import { prepareDtlsCertificate } from '../webrtc/dtlsCertificate.js';
import { toWireError, type FromWorker, type MediaWorkerData, type ToWorker } from './WorkerHost.js';

if (!parentPort) throw new Error('mediaWorker.ts runs as a worker thread (see WorkerHost)');
const port = parentPort;
const { name, config, sockets, socketSlot } = workerData as MediaWorkerData;
setLogLevel(config.logLevel);
const log = createLogger(`kms:${name.replace(' ', '-')}`);
const post = (message: FromWorker): void => port.postMessage(message);

const registry = new ObjectRegistry(config, new SocketBudget(sockets, socketSlot));
registry.listen({
  created: (id, className) => post({ kind: 'created', id, className }),
  released: (id) => post({ kind: 'released', id }),
  event: (id, type, data) => post({ kind: 'event', id, type, data }),
});
const operations = new ObjectOperations(registry);

port.on('message', (m: ToWorker) => {
  perform(operations, m.method, m.args).then(
    (value) => post({ kind: 'result', call: m.call, value }),
    (e: unknown) => post({ kind: 'error', call: m.call, error: toWireError(e) }),
  );
});
// As main.ts does for the main thread: one faulty element must not take the worker's other pipelines down.
process.on('unhandledRejection', (reason) => log.error('unhandled rejection', reason));
await prepareDtlsCertificate();
post({ kind: 'ready' });
