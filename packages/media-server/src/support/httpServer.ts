/** An HTTP server, or HTTPS with the control port's certificate when one is configured (the control port and the metrics share it). */
import { readFileSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';

/** A server for `listener`: HTTPS when `tls.tlsCert` names a PEM file (with `tls.tlsKey`), else plain HTTP. */
export function httpServer(tls: { tlsCert: string; tlsKey: string }, listener: RequestListener): Server {
  return tls.tlsCert ? createHttpsServer({ cert: readFileSync(tls.tlsCert), key: readFileSync(tls.tlsKey) }, listener) : createServer(listener);
}

/** Listens on `port` at `host`; rejects with a message naming the address when it cannot. */
export async function listen(server: Server, port: number, host: string, what: string): Promise<void> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new Error(`${what}: port ${port} on ${host} is already in use`);
    if (code === 'EADDRNOTAVAIL') throw new Error(`${what}: ${host} is not an address of this machine`);
    throw e;
  }
}
