/**
 * @kurento-ts/client: a typed, promise-only client for the Kurento Protocol.
 *
 * Proxy classes exist for every remote class of the schema; each export below is both a value
 * (usable with `instanceof`) and the type of its proxies.
 */
export { KurentoClient, type ClientState, type KurentoClientEvents } from './KurentoClient.js';
export type { KurentoClientOptions } from './options.js';
export type { ReconnectPolicy } from './rpc/ReconnectingSocket.js';
export { Transaction, TxRef, type TxTarget } from './Transaction.js';
export { ClientErrorType, ConnectionError, KurentoClientError, RequestTimeoutError } from './errors.js';
export { RemoteObjectBase } from './objects/RemoteObjectBase.js';
export { proxyClasses, type ProxyClass } from './objects/proxyClasses.js';
export type { PipelineFactory, ElementParams } from './objects/pipelineFactory.js';
export type * from './types.js';

export * from './generated/exports.js';
