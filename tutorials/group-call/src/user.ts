/**
 * One page of the group call on the `/groupcall` WebSocket: at most one room at a time, under a
 * name no one else in that room has. Leaving (leaveRoom, or the socket closing) releases the
 * page's endpoints and the endpoints others had for it, and the others are told.
 */
import type { KurentoClient } from '@kurento-ts/client';
import { answerError, errorMessage, type FaultListener, type PageSession } from '@kurento-ts/tutorial-kit';
import { Member } from './member.js';
import { BadMessage, parseBrowserMessage, type BrowserMessage, type Candidate, type ServerMessage } from './messages.js';
import { Room } from './room.js';

/** What every page shares: the media server and the rooms by name. */
export interface Rooms {
  readonly kurento: KurentoClient;
  readonly onFault: FaultListener;
  readonly byName: Map<string, Room>;
}

/** One page's session on /groupcall. */
export class User implements PageSession {
  #place: { room: Room; member: Member } | undefined;
  #closed: Promise<void> | undefined;

  constructor(private readonly rooms: Rooms, private readonly send: (message: ServerMessage) => void) {}

  /** Handles one text frame from the page; failures are answered with `error`, never thrown. */
  async receive(text: string): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#handle(parseBrowserMessage(text));
    } catch (e) {
      answerError(e, this.send, this.rooms.onFault);
    }
  }

  /** The socket closed: the page leaves its room. Idempotent. */
  close(): Promise<void> {
    this.#closed ??= this.#leave();
    return this.#closed;
  }

  #handle(message: BrowserMessage): Promise<void> | void {
    switch (message.id) {
      case 'joinRoom':
        return this.#join(message.name, message.room);
      case 'receiveVideoFrom':
        return this.#receiveVideoFrom(message.sender, message.sdpOffer);
      case 'leaveRoom':
        return this.#leave();
      case 'onIceCandidate':
        return this.#addCandidate(message.name, message.candidate);
    }
  }

  #join(name: string, roomName: string): Promise<void> {
    if (this.#place) throw new BadMessage(`You are already in room ${this.#place.room.name}: leave it first`);
    let room = this.rooms.byName.get(roomName);
    if (room?.has(name)) throw new BadMessage(`The name ${name} is already taken in room ${roomName}`);
    if (!room) {
      room = new Room(roomName, this.rooms.kurento, this.rooms.onFault, (empty) => {
        if (this.rooms.byName.get(empty.name) === empty) this.rooms.byName.delete(empty.name);
      });
      this.rooms.byName.set(roomName, room);
    }
    const member = new Member(name, this.send, this.rooms.onFault);
    this.#place = { room, member };
    return room.join(member).then(() => undefined, (e: unknown) => {
      if (this.#place?.member === member) this.#place = undefined;
      throw new Error(`Could not join room ${roomName}: ${errorMessage(e)}`);
    });
  }

  // Checks synchronously (here and in #join), so that refusals are answered in the order the page sent.
  #receiveVideoFrom(senderName: string, sdpOffer: string): Promise<void> {
    const place = this.#joinedPlace('receiveVideoFrom');
    const sender = place.room.joined(senderName);
    if (!sender) throw new BadMessage(`There is no participant ${senderName} in room ${place.room.name}`);
    return place.member.receiveVideoFrom(sender, sdpOffer);
  }

  #addCandidate(name: string, candidate: Candidate): void {
    const place = this.#joinedPlace('onIceCandidate');
    // Only for endpoints that are or may soon be: the page's own, and the others' in the room.
    if (name !== place.member.name && !place.room.joined(name)) throw new BadMessage(`onIceCandidate: there is no participant ${name} in room ${place.room.name}`);
    place.member.addCandidate(name, candidate);
  }

  #joinedPlace(what: string): { room: Room; member: Member } {
    if (!this.#place) throw new BadMessage(`${what}: join a room first`);
    return this.#place;
  }

  async #leave(): Promise<void> {
    const place = this.#place;
    this.#place = undefined;
    await place?.room.leave(place.member);
  }
}
