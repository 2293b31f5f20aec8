/**
 * A room of the group call: a MediaPipeline (made when the first participant arrives, released
 * when the last one leaves) and its participants by name. Joining makes the newcomer's outgoing
 * endpoint, tells the others (newParticipantArrived) and the newcomer who is there
 * (existingParticipants); leaving releases the leaver's endpoints and the others' incoming
 * endpoints fed by it, and tells them (participantLeft).
 */
import type { KurentoClient, MediaPipeline } from '@kurento-ts/client';
import type { FaultListener } from '@kurento-ts/tutorial-kit';
import type { Member } from './member.js';

/** One room: its pipeline and its participants. */
export class Room {
  /** Participants by name, from the moment they ask to join (so that a name cannot be taken twice). */
  readonly #members = new Map<string, Member>();
  readonly #pipeline: Promise<MediaPipeline>;
  #closed = false;

  /** `onEmpty` runs when the last participant left (the room then releases its pipeline). */
  constructor(
    readonly name: string,
    kurento: KurentoClient,
    private readonly onFault: FaultListener,
    private readonly onEmpty: (room: Room) => void,
  ) {
    this.#pipeline = kurento.createMediaPipeline();
    this.#pipeline.catch(() => undefined); // a failure is the joiner's to report
  }

  /** Whether `name` is taken in this room. */
  has(name: string): boolean {
    return this.#members.has(name);
  }

  /** The participant called `name`, once it has joined. */
  joined(name: string): Member | undefined {
    const member = this.#members.get(name);
    return member?.joined ? member : undefined;
  }

  /** Takes `member` in (its name must be free); false if it left before it was in. */
  async join(member: Member): Promise<boolean> {
    this.#members.set(member.name, member);
    const stillHere = (): boolean => this.#members.get(member.name) === member;
    try {
      const pipeline = await this.#pipeline;
      // A page that left while the pipeline was made (the room may be closing) joins nothing.
      if (!stillHere() || !(await member.start(pipeline)) || !stillHere()) return false;
    } catch (e) {
      // Gone meanwhile: what failed was the room closing under it, not the join.
      if (!stillHere()) return false;
      await this.leave(member);
      throw e;
    }
    const others = [...this.#members.values()].filter((m) => m.joined);
    for (const other of others) other.send({ id: 'newParticipantArrived', name: member.name });
    member.markJoined();
    member.send({ id: 'existingParticipants', data: others.map((m) => m.name) });
    return true;
  }

  /** `member` leaves (or gives up joining): its endpoints and those it fed are released, the others told. */
  async leave(member: Member): Promise<void> {
    if (this.#members.get(member.name) !== member) return;
    const wasJoined = member.joined;
    this.#members.delete(member.name);
    const work: Promise<void>[] = [member.release()];
    for (const other of this.#members.values()) {
      work.push(other.cancelVideoFrom(member.name));
      if (wasJoined && other.joined) other.send({ id: 'participantLeft', name: member.name });
    }
    if (this.#members.size === 0) work.push(this.#close());
    await Promise.all(work);
  }

  /** Participants now (joined or joining). */
  get size(): number {
    return this.#members.size;
  }

  async #close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.onEmpty(this);
    // Releasing the pipeline releases whatever endpoint is still in it.
    await this.#pipeline.then((p) => p.release(), () => undefined).catch(this.onFault);
  }
}
