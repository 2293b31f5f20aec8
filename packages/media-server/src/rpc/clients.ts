/**
 * Clients, for the per-client budgets: a connection is charged to its remote address (IPv6 by
 * its /64, what one subscriber usually holds) and, when `--auth-token` lists several tokens, to
 * the token it presented too. A client's counts outlive its sockets while its sessions (in
 * their grace period too) or the objects they created live; then it is forgotten.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** Who a connection is charged to: a key for the table, a label for messages and logs. */
export interface ClientId {
  readonly key: string;
  readonly label: string;
}

/** What one client holds now. */
export class Client {
  /** Open WebSockets. */
  sockets = 0;
  /** Sessions, connected or in their grace period. */
  sessions = 0;
  /** Live media objects its sessions created. */
  objects = 0;
  /** Its creations still running (they count as objects). */
  creating = 0;

  constructor(
    readonly id: ClientId,
    private readonly table: ClientTable,
  ) {}

  /** Forgets the client once it holds nothing (call after lowering a count). */
  settle(): void {
    if (this.sockets + this.sessions + this.objects + this.creating === 0) this.table.drop(this);
  }
}

/** The clients that hold something, by key. */
export class ClientTable {
  private readonly clients = new Map<string, Client>();

  /** @param dropped hears each client forgotten */
  constructor(private readonly dropped: (client: Client) => void) {}

  /** The client with this id, made when new. */
  get(id: ClientId): Client {
    let client = this.clients.get(id.key);
    if (!client) this.clients.set(id.key, (client = new Client(id, this)));
    return client;
  }

  /** The client with this id, if it holds anything. */
  find(id: ClientId): Client | undefined {
    return this.clients.get(id.key);
  }

  /** Every client holding something. */
  values(): IterableIterator<Client> {
    return this.clients.values();
  }

  /** Forgets a client that holds nothing. */
  drop(client: Client): void {
    if (this.clients.get(client.id.key) !== client) return;
    this.clients.delete(client.id.key);
    this.dropped(client);
  }
}

/** The clients a connection from `remoteAddress` is charged to; `token` is the index of the token it presented, when tokens tell clients apart. */
export function clientIds(remoteAddress: string | undefined, token: number | undefined): ClientId[] {
  const address = clientAddress(remoteAddress ?? '');
  const ids: ClientId[] = [{ key: `address ${address}`, label: address }];
  if (token !== undefined) ids.push({ key: `token ${token}`, label: `token #${token + 1}` });
  return ids;
}

/** An address as a client: IPv4 as is (also when mapped into IPv6), IPv6 by its /64 prefix. */
export function clientAddress(remote: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(remote);
  if (mapped?.[1]) return mapped[1];
  if (isIPv4(remote) || !isIPv6(remote)) return remote || 'unknown';
  return `${ipv6Groups(remote).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, `::` expanded, without leading zeros. */
function ipv6Groups(address: string): string[] {
  const [head = '', tail] = address.split('%')[0]?.split('::') ?? [];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => g.replace(/^0+(?=.)/, '').toLowerCase());
}
