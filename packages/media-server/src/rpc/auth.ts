/** Control-port authentication: a shared secret, compared in constant time. */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The token a request presents: `access_token` in the URL query (what the official clients send) or a Bearer header. */
export function presentedToken(request: IncomingMessage): string | undefined {
  const query = new URL(request.url ?? '/', 'http://localhost').searchParams.get('access_token');
  if (query) return query;
  const header = request.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7) : undefined;
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Whether `presented` equals `expected`, without leaking where they differ. */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  return presented !== undefined && timingSafeEqual(digest(expected), digest(presented));
}

/** Whether an address only reaches this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
