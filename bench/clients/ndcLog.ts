/**
 * libdatachannel's own error log, kept so that a session that fails says why (a DTLS or ICE
 * error is only ever logged there). Errors only: the callback crosses into JavaScript.
 */
import { initLogger } from 'node-datachannel';

const MAX = 50;
const lines: string[] = [];
let started = false;

export function captureNdcErrors(): void {
  if (started) return;
  started = true;
  initLogger('Error', (_level, message) => {
    if (lines.length < MAX) lines.push(message);
  });
}

/** The errors logged since the last call, each distinct one once. */
export function drainNdcErrors(): string[] {
  const distinct = [...new Set(lines)];
  lines.length = 0;
  return distinct;
}
