/**
 * The UDP sockets this process holds, as the kernel sees them: every descriptor in /proc/self/fd
 * that is a socket whose inode /proc/net/udp or /proc/net/udp6 lists. Node's own handle lists
 * (`process.getActiveResourcesInfo()`, `_getActiveHandles()`) see only node:dgram sockets, not the
 * ones the native addon (@kurento-ts/native) opens, so leak tests that trusted them would lie.
 * Linux only.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** One open UDP socket: its local address and port. */
export interface UdpSocketInfo {
  address: string;
  port: number;
  inode: number;
}

/** Inode → local address of every UDP socket on the machine (/proc/net/udp and udp6). */
function udpTable(): Map<number, { address: string; port: number }> {
  const table = new Map<number, { address: string; port: number }>();
  for (const [file, ipv6] of [['/proc/net/udp', false], ['/proc/net/udp6', true]] as const) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // no IPv6 in this kernel
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const local = fields[1];
      const inode = Number(fields[9]);
      if (!local || !Number.isInteger(inode) || inode === 0) continue;
      const [hex = '', portHex = '0'] = local.split(':');
      table.set(inode, { address: ipv6 ? hexToIpv6(hex) : hexToIpv4(hex), port: parseInt(portHex, 16) });
    }
  }
  return table;
}

/** /proc/net/udp writes an IPv4 address as one 32-bit word in host (little-endian) order. */
const hexToIpv4 = (hex: string): string => [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16)).join('.');

/** …and an IPv6 address as four such words. */
function hexToIpv6(hex: string): string {
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) for (const i of [6, 4, 2, 0]) bytes.push(parseInt(hex.slice(w * 8 + i, w * 8 + i + 2), 16));
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}

/** The UDP sockets this process has open now, whoever opened them (node:dgram or native code). */
export function openUdpSockets(): UdpSocketInfo[] {
  const table = udpTable();
  const found: UdpSocketInfo[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    let target = '';
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // closed while we read the directory
    }
    const inode = Number(/^socket:\[(\d+)\]$/.exec(target)?.[1] ?? NaN);
    const local = table.get(inode);
    if (local) found.push({ ...local, inode });
  }
  return found;
}
