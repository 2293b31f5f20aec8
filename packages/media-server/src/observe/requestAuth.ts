/** The control port's authentication for plain HTTP requests (metrics, dashboard): the same tokens, presented the same ways. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authTokens, matchingToken, presentedToken } from '../rpc/auth.js';

/** Checks a request against `--auth-token`; answers 401 and returns false when it presents none of the tokens. */
export function authorized(authToken: string, req: IncomingMessage, res: ServerResponse): boolean {
  const tokens = authTokens(authToken);
  if (tokens.length === 0 || matchingToken(tokens, presentedToken(req)) !== undefined) return true;
  res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('Unauthorized\n');
  return false;
}
