/** Control-port authentication: shared secrets, compared in constant time. */
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

/** The tokens `--auth-token` sets: one, or several separated by commas (each then its own client for the budgets). */
export function authTokens(option: string): string[] {
  return option.split(',').map((t) => t.trim()).filter(Boolean);
}

/** The index of the token `presented` equals, or undefined; every token is compared, without leaking where they differ. */
export function matchingToken(tokens: readonly string[], presented: string | undefined): number | undefined {
  if (presented === undefined) return undefined;
  const given = digest(presented);
  let found: number | undefined;
  tokens.forEach((token, i) => {
    if (timingSafeEqual(digest(token), given) && found === undefined) found = i;
  });
  return found;
}

/** Whether an address only reaches this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
