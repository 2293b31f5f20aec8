/**
 * The client's exceptions. Server errors keep the protocol's numeric code and its stable name
 * (from the protocol's ErrorCode table); failures that never reached a server answer (timeouts,
 * lost connections, a closed client) get names of their own so callers can tell them apart.
 */
import { errorName, type ErrorName, type RpcErrorObject } from '@kurento-ts/protocol';

/** Names of failures detected by the client itself, with no server answer behind them. */
export const ClientErrorType = {
  /** No answer within the request timeout. */
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  /** The socket dropped while the request was in flight; it may or may not have run. */
  CONNECTION_LOST: 'CONNECTION_LOST',
  /** The connection could not be opened. */
  CONNECTION_FAILED: 'CONNECTION_FAILED',
  /** `close()` was called, or the client gave up reconnecting. */
  CLIENT_CLOSED: 'CLIENT_CLOSED',
  /** The object was released (or its session lost) while something waited on it. */
  OBJECT_RELEASED: 'OBJECT_RELEASED',
  /** A transaction operation did not run because an earlier one failed. */
  TRANSACTION_ABORTED: 'TRANSACTION_ABORTED',
  /** The server sent something that is not a valid Kurento answer. */
  PROTOCOL_ERROR: 'PROTOCOL_ERROR',
} as const;
export type ClientErrorType = keyof typeof ClientErrorType;

/** The code carried by client-side errors: no server code applies. */
export const CLIENT_ERROR_CODE = 0;

/** Every error this package rejects with. */
export class KurentoClientError extends Error {
  override readonly name: string = 'KurentoClientError';
  /** The protocol's code for server errors (e.g. 40101); 0 for client-side failures. */
  readonly code: number;
  /** A stable name: the protocol's (e.g. `MEDIA_OBJECT_NOT_FOUND`) or a `ClientErrorType`. */
  readonly type: ErrorName | ClientErrorType | (string & {});
  /** The JSON-RPC method that failed, when there was one. */
  readonly method: string | undefined;
  /** The server's `error.data`, untouched. */
  readonly data: RpcErrorObject['data'] | undefined;

  constructor(code: number, type: string, message: string, method?: string, data?: RpcErrorObject['data']) {
    super(message);
    this.code = code;
    this.type = type;
    this.method = method;
    this.data = data;
  }

  /** Whether a Kurento server answered with this error (as opposed to a client-side failure). */
  get fromServer(): boolean {
    return this.code !== CLIENT_ERROR_CODE;
  }

  /** Builds the error for a JSON-RPC error response; the name comes from `data.type` or the code. */
  static fromRpc(error: RpcErrorObject, method?: string): KurentoClientError {
    const type = typeof error.data?.type === 'string' ? error.data.type : (errorName(error.code) ?? 'UNKNOWN_ERROR');
    return new KurentoClientError(error.code, type, error.message, method, error.data);
  }
}

/** A request got no answer in time. */
export class RequestTimeoutError extends KurentoClientError {
  override readonly name = 'RequestTimeoutError';

  constructor(method: string, readonly timeoutMs: number) {
    super(CLIENT_ERROR_CODE, ClientErrorType.REQUEST_TIMEOUT, `'${method}' got no answer within ${timeoutMs} ms`, method);
  }
}

/** The connection is gone (lost, never opened, or closed by the application). */
export class ConnectionError extends KurentoClientError {
  override readonly name = 'ConnectionError';

  constructor(type: 'CONNECTION_LOST' | 'CONNECTION_FAILED' | 'CLIENT_CLOSED', message: string, method?: string) {
    super(CLIENT_ERROR_CODE, type, message, method);
  }
}
