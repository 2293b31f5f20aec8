/**
 * The addresses the server offers browsers for media (its ICE host candidates), and what they
 * mean for who can reach them. A browser that can reach none of them gets no media, and nothing
 * says why, so the start commands print them and warn when none is public.
 */
import { isIPv4 } from 'node:net';
import { networkInterfaces as osInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type { ServerConfig } from './config.js';

/** Who can reach an address. */
export type AddressScope = 'loopback' | 'private' | 'public';

type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

/**
 * The host addresses endpoints offer: the configured ones, else (as werift gathers) every IPv4
 * address of the machine's interfaces but loopback.
 */
export function offeredAddresses(networkInterfaces: readonly string[], interfaces?: Interfaces): string[] {
  if (networkInterfaces.length > 0) return [...new Set(networkInterfaces)];
  // Read only here: os.networkInterfaces() walks every interface, on each endpoint's set-up.
  return Object.values(interfaces ?? osInterfaces()).flat().filter((a): a is NetworkInterfaceInfo => a !== undefined && a.family === 'IPv4' && !a.internal).map((a) => a.address);
}

const v4 = (address: string): number[] => address.split('.').map(Number);

/**
 * loopback (127/8, ::1); private, i.e. not routed on the internet (RFC 1918, CGNAT 100.64/10,
 * link-local, the documentation and benchmarking ranges, IPv6 ULA and link-local); or public.
 */
export function addressScope(address: string): AddressScope {
  if (isIPv4(address)) {
    const [a = 0, b = 0, c = 0] = v4(address);
    if (a === 127) return 'loopback';
    const rfc1918 = a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
    const special = (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) || (a === 198 && (b === 18 || b === 19));
    const documentation = (a === 192 && b === 0 && c === 2) || (a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113);
    return rfc1918 || special || documentation ? 'private' : 'public';
  }
  const lower = address.toLowerCase();
  if (lower === '::1') return 'loopback';
  if (/^f[cd]/.test(lower) || /^fe[89ab]/.test(lower)) return 'private';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower)?.[1];
  return mapped ? addressScope(mapped) : 'public';
}

/** What to print at start: the line, and a warning when browsers elsewhere may get no media. */
export interface MediaAddressReport {
  line: string;
  warning?: string;
}

/** The report for `config` on this machine (or on `interfaces`). */
export function mediaAddressReport(config: Pick<ServerConfig, 'networkInterfaces' | 'stunServerAddress' | 'turnUrl'>, interfaces?: Interfaces): MediaAddressReport {
  const addresses = offeredAddresses(config.networkInterfaces, interfaces);
  const relays = [config.stunServerAddress ? `what STUN at ${config.stunServerAddress} finds` : '', config.turnUrl ? 'a TURN relay' : ''].filter(Boolean);
  const chosen = config.networkInterfaces.length > 0 ? '--network-interfaces' : 'every interface but loopback; --network-interfaces chooses';
  const line = addresses.length === 0
    ? `Media: no address offered (${chosen})${relays.length > 0 ? `, only ${relays.join(' and ')}` : ''}`
    : `Media offered on ${addresses.join(', ')} (${chosen})${relays.length > 0 ? `, and ${relays.join(' and ')}` : ''}`;
  const scopes = new Set(addresses.map(addressScope));
  if (addresses.length === 0 && relays.length === 0) {
    return { line, warning: 'this machine has no network interface but loopback, so browsers get no media: pass --network-interfaces 127.0.0.1 for browsers on this machine' };
  }
  if (addresses.length > 0 && scopes.size === 1 && scopes.has('loopback')) {
    return { line, warning: 'media only on loopback: only browsers on this machine get media (Chromium with --allow-loopback-in-peer-connection, Firefox with media.peerconnection.ice.loopback)' };
  }
  if (addresses.length > 0 && !scopes.has('public') && relays.length === 0) {
    return { line, warning: 'media only on private or loopback addresses: browsers outside this network get no media; pass --network-interfaces with a public address, or give the endpoints a TURN server (--turn-url)' };
  }
  return { line };
}
