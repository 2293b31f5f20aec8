/** JSON-RPC 2.0 envelopes as the Kurento Protocol uses them. */
import type { RpcErrorObject } from './errors.js';

/** The methods a client may call. */
export const rpcMethods = [
  'ping', 'connect', 'create', 'invoke', 'subscribe', 'unsubscribe', 'release', 'describe',
  'keepAlive', 'ref', 'unref', 'transaction', 'closeSession',
] as const;
/** A method a client may call. */
export type RpcMethod = (typeof rpcMethods)[number];

/** A JSON value. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
/** A JSON object. */
export type JsonObject = { [key: string]: Json };

/** A request from client to server. */
export interface RpcRequest {
  jsonrpc: '2.0';
  id: number | string;
  method: string;
  params?: JsonObject;
}

/** A successful response; Kurento puts the session id beside the value. */
export interface RpcSuccess {
  jsonrpc: '2.0';
  id: number | string | null;
  result: { value?: Json; sessionId?: string; [key: string]: Json | undefined };
}

/** An error response. */
export interface RpcFailure {
  jsonrpc: '2.0';
  id: number | string | null;
  error: RpcErrorObject;
}

/** A server notification; Kurento sends only `onEvent`. */
export interface RpcNotification {
  jsonrpc: '2.0';
  method: 'onEvent';
  params: { value: { data: JsonObject; object: string; type: string } };
}

/** The well-known id of the server manager, which exists without being created. */
export const SERVER_MANAGER_ID = 'manager_ServerManager';
