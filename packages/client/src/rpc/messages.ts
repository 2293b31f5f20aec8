/**
 * Classifies incoming JSON-RPC frames. Everything from the socket is untrusted text, so each
 * shape is checked before the rest of the client relies on it.
 */
import type { Json, JsonObject, RpcErrorObject, RpcSuccess } from '@kurento-ts/protocol';

/** What a frame turned out to be. */
export type Incoming =
  | { readonly kind: 'result'; readonly id: number | string; readonly result: RpcSuccess['result'] }
  | { readonly kind: 'error'; readonly id: number | string | null; readonly error: RpcErrorObject }
  | { readonly kind: 'notification'; readonly method: string; readonly params: JsonObject }
  | { readonly kind: 'invalid'; readonly why: string };

export const isJsonObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses one frame's text. */
export function parseIncoming(text: string): Incoming {
  let message: Json;
  try {
    message = JSON.parse(text) as Json;
  } catch {
    return { kind: 'invalid', why: 'not JSON' };
  }
  if (!isJsonObject(message) || message['jsonrpc'] !== '2.0') return { kind: 'invalid', why: 'not a JSON-RPC 2.0 object' };
  const id = message['id'];
  const validId = typeof id === 'number' || typeof id === 'string';
  if ('result' in message) {
    const result = message['result'];
    if (!validId) return { kind: 'invalid', why: 'a result without an id' };
    // Kurento answers with an object; tolerate a bare value (some servers answer ping with "pong").
    return { kind: 'result', id, result: isJsonObject(result) ? result : { value: result ?? null } };
  }
  if ('error' in message) {
    const error = message['error'];
    if (!isJsonObject(error) || typeof error['code'] !== 'number') return { kind: 'invalid', why: 'a malformed error' };
    const data = error['data'];
    return {
      kind: 'error',
      id: validId ? id : null,
      error: {
        code: error['code'],
        message: typeof error['message'] === 'string' ? error['message'] : '',
        ...(isJsonObject(data) && typeof data['type'] === 'string' ? { data: { ...data, type: data['type'] } } : {}),
      },
    };
  }
  if (typeof message['method'] === 'string') {
    const params = message['params'];
    return { kind: 'notification', method: message['method'], params: isJsonObject(params) ? params : {} };
  }
  return { kind: 'invalid', why: 'neither a response nor a notification' };
}
