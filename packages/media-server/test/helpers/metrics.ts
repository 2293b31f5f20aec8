/** Scraping the metrics as Prometheus does, and a free TCP port for `--metrics-port`. */
import { createServer } from 'node:net';

/** Samples by series, `name{label="value",...}` as the exposition text writes them. */
export type Samples = Map<string, number>;

/** GETs the metrics and parses every sample line (comments skipped). */
export async function scrape(url: string, token?: string): Promise<Samples> {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  if (res.status !== 200) throw new Error(`scrape answered ${res.status}`);
  const samples: Samples = new Map();
  for (const line of (await res.text()).split('\n')) {
    const m = /^([a-z_:][a-z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m?.[1] && m[2]) samples.set(m[1], Number(m[2]));
  }
  return samples;
}

/** A sample's value; 0 when the series is absent (Prometheus's view of a counter never incremented). */
export const sample = (s: Samples, series: string): number => s.get(series) ?? 0;

/** A TCP port free on loopback now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
