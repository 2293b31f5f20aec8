/** Where our patches meet each of werift's STUN sockets (its StunProtocol, private in its typings). */
import { StunProtocol, type IceConnection, type Protocol } from 'werift';

/** Calls `wrap` with every STUN socket `connection` sets up, before it receives anything. */
export function onEachStunSocket(connection: IceConnection, wrap: (protocol: StunProtocol) => void): void {
  const internals = connection as unknown as { ensureProtocol(protocol: Protocol): void };
  const ensureProtocol = internals.ensureProtocol.bind(connection);
  internals.ensureProtocol = (protocol) => {
    ensureProtocol(protocol);
    if (protocol instanceof StunProtocol) wrap(protocol);
  };
}
