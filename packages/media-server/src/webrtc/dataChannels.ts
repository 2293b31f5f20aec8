/**
 * The data channels of one WebRTC transport, on werift's SCTP stack (RTCDataChannel): channels
 * the peer opens and channels we create, their open and close, and messages both ways as the
 * graph's DataMessages. Messages leave on the channel of the same label, else on the first open
 * channel. What a slow or stalled peer cannot take is dropped and counted, never queued without
 * bound: a channel may have at most CHANNEL_BUFFER_LIMIT bytes waiting in werift's queues, all
 * channels together TRANSPORT_BUFFER_LIMIT, and a transport at most MAX_OPEN_CHANNELS channels.
 */
import { RTCSctpTransport, type RTCDataChannel, type RTCPeerConnection } from 'werift';
import { dataMessageSize, type DataMessage } from '../types/data.js';

/** Bytes one channel may have waiting to be sent before further messages to it are dropped. */
export const CHANNEL_BUFFER_LIMIT = 1024 * 1024;
/** Bytes all channels of a transport may have waiting together (one SCTP association carries them). */
export const TRANSPORT_BUFFER_LIMIT = 4 * 1024 * 1024;
/** Channels open at once on one transport; more are closed as they open (Kurento allows one). */
export const MAX_OPEN_CHANNELS = 256;
/** The largest message we accept and announce (a=max-message-size); Chromium announces the same. */
export const MAX_MESSAGE_SIZE = 256 * 1024;

/** What the data channels of a transport report to their owner. */
export interface DataChannelHandlers {
  /** A channel opened (the peer's or ours), with its SCTP stream id. */
  opened(channelId: number): void;
  /** An open channel closed. */
  closed(channelId: number): void;
  /** A message arrived on an open channel. */
  message(message: DataMessage): void;
  /** A handler threw: reported here instead of unwinding into the SCTP stack. */
  failure(error: unknown): void;
}

/** How a channel we create behaves (RFC 8831 §6.1); a limit left undefined is not set. */
export interface DataChannelOptions {
  label: string;
  ordered: boolean;
  maxPacketLifeTime: number | undefined;
  maxRetransmits: number | undefined;
  protocol: string;
}

/** One channel as getStats reports it. */
export interface DataChannelInfo {
  id: number;
  label: string;
  protocol: string;
  state: 'connecting' | 'open' | 'closing' | 'closed';
  messagesSent: number;
  bytesSent: number;
  messagesReceived: number;
  bytesReceived: number;
}

/** Messages that were not sent, by reason, and channels over the limit. */
export interface DataDropCounters {
  /** The chosen channel (or the transport) had too much waiting. */
  full: number;
  /** No channel was open. */
  unmatched: number;
  /** Larger than the peer takes (its a=max-message-size). */
  tooLarge: number;
  /** Channels closed at once because MAX_OPEN_CHANNELS were open. */
  refusedChannels: number;
}

/** werift internals read here (private in its typings). */
interface SctpManagerInternals {
  sctpManager: { dataChannels: RTCDataChannel[]; dataChannelsClosed: number };
}
interface SctpTransportInternals {
  remoteMaxMessageSize: number;
}
interface SctpOpenInternals {
  dataChannels: Record<number, RTCDataChannel>;
  dataChannelQueue: [RTCDataChannel, number, Buffer][];
  dataChannelOpen(channel: RTCDataChannel): void;
  dataChannelFlush(): Promise<void>;
}

/** RFC 8832 §5.1: DATA_CHANNEL_OPEN's message type, and the SCTP payload protocol id of DCEP. */
const DATA_CHANNEL_OPEN = 0x03;
const PPID_DCEP = 50;
let openPatched = false;

/**
 * werift 0.24.4 writes a wrong DATA_CHANNEL_OPEN for channels we create: a partially reliable
 * channel loses its unordered bit (channel type 1 or 2 instead of 0x81 or 0x82), and the label
 * and protocol lengths are counted in UTF-16 units instead of bytes. This writes the message as
 * RFC 8832 §5.1 has it and queues it as werift does.
 */
function patchDataChannelOpen(): void {
  if (openPatched) return;
  openPatched = true;
  const transport = RTCSctpTransport.prototype as unknown as SctpOpenInternals;
  transport.dataChannelOpen = function (this: SctpOpenInternals, channel: RTCDataChannel): void {
    if (channel.id !== undefined) {
      if (this.dataChannels[channel.id]) throw new Error(`Data channel with ID ${channel.id} already registered`);
      this.dataChannels[channel.id] = channel;
    }
    const label = Buffer.from(channel.label, 'utf8');
    const protocol = Buffer.from(channel.protocol, 'utf8');
    const reliability = channel.maxRetransmits !== null ? 1 : channel.maxPacketLifeTime !== null ? 2 : 0;
    const open = Buffer.alloc(12 + label.length + protocol.length);
    open.writeUInt8(DATA_CHANNEL_OPEN, 0);
    open.writeUInt8((channel.ordered ? 0 : 0x80) | reliability, 1);
    open.writeUInt32BE(channel.maxRetransmits ?? channel.maxPacketLifeTime ?? 0, 4);
    open.writeUInt16BE(label.length, 8);
    open.writeUInt16BE(protocol.length, 10);
    label.copy(open, 12);
    protocol.copy(open, 12 + label.length);
    this.dataChannelQueue.push([channel, PPID_DCEP, open]);
    void this.dataChannelFlush();
  };
}

export class DataChannels {
  /** Open channels, in the order they opened: a message with no channel of its label takes the first. */
  private readonly open: RTCDataChannel[] = [];
  /** Channel ids this transport has had open (closing one of them again is not an error). */
  private readonly known = new Set<number>();
  /** Channels that opened beyond MAX_OPEN_CHANNELS, closed without being announced. */
  private readonly refused = new WeakSet<RTCDataChannel>();
  /** Channels opened and closed so far (RTCPeerConnectionStats). */
  opened = 0;
  closed = 0;
  readonly dropped: DataDropCounters = { full: 0, unmatched: 0, tooLarge: 0, refusedChannels: 0 };

  constructor(
    private readonly pc: RTCPeerConnection,
    private readonly handlers: DataChannelHandlers,
  ) {
    patchDataChannelOpen();
    pc.onDataChannel.subscribe((channel) => this.adopt(channel, true));
  }

  /** Creates a channel toward the peer; it opens once SCTP is up and the peer acknowledges it. */
  create(options: DataChannelOptions): void {
    const channel = this.pc.createDataChannel(options.label, {
      ordered: options.ordered,
      maxPacketLifeTime: options.maxPacketLifeTime,
      maxRetransmits: options.maxRetransmits,
      protocol: options.protocol,
    });
    this.adopt(channel, false);
  }

  /** Closes channel `id`: 'closing' when it is open, 'gone' when it was and closed already, 'unknown' otherwise. */
  close(id: number): 'closing' | 'gone' | 'unknown' {
    const channel = this.open.find((c) => c.id === id);
    if (channel) {
      channel.close();
      return 'closing';
    }
    return this.known.has(id) ? 'gone' : 'unknown';
  }

  /**
   * Sends a message from the graph on the open channel of its label, else the first open one.
   * Returns false when it was dropped (counted in `dropped`).
   */
  send(message: DataMessage): boolean {
    const channel = this.pick(message.label);
    if (!channel) {
      this.dropped.unmatched++;
      return false;
    }
    const size = dataMessageSize(message.data);
    const remoteMax = (channel.sctp as unknown as SctpTransportInternals).remoteMaxMessageSize;
    if (remoteMax > 0 && size > remoteMax) {
      this.dropped.tooLarge++;
      return false;
    }
    if (channel.bufferedAmount + size > CHANNEL_BUFFER_LIMIT || this.buffered() + size > TRANSPORT_BUFFER_LIMIT) {
      this.dropped.full++;
      return false;
    }
    channel.send(message.data);
    return true;
  }

  /** Whether any channel is open. */
  get hasOpenChannel(): boolean {
    return this.open.length > 0;
  }

  /** Bytes waiting in werift's queues over all open channels. */
  buffered(): number {
    let total = 0;
    for (const channel of this.open) total += channel.bufferedAmount;
    return total;
  }

  /** The open channels, for getStats. */
  stats(): DataChannelInfo[] {
    return this.open.map((c) => ({
      id: c.id,
      label: c.label,
      protocol: c.protocol,
      state: c.readyState,
      messagesSent: c.messagesSent,
      bytesSent: c.bytesSent,
      messagesReceived: c.messagesReceived,
      bytesReceived: c.bytesReceived,
    }));
  }

  /** The open channel of `label`, else the first open one. */
  private pick(label: string): RTCDataChannel | undefined {
    let first: RTCDataChannel | undefined;
    for (const channel of this.open) {
      if (channel.readyState !== 'open') continue;
      if (channel.label === label) return channel;
      first ??= channel;
    }
    return first;
  }

  /** Follows a channel through its life: announced when it opens, messages while open, forgotten when closed. */
  private adopt(channel: RTCDataChannel, byPeer: boolean): void {
    const onState = channel.stateChanged.subscribe((state) => {
      try {
        if (state === 'open') this.onOpen(channel);
        else if (state === 'closed') {
          onState.unSubscribe();
          onMessage.unSubscribe();
          this.onClosed(channel, byPeer);
        }
      } catch (e) {
        this.handlers.failure(e);
      }
    });
    const onMessage = channel.onMessage.subscribe((data) => {
      if (this.refused.has(channel)) return;
      try {
        this.handlers.message({ label: channel.label, protocol: channel.protocol, data });
      } catch (e) {
        this.handlers.failure(e);
      }
    });
  }

  private onOpen(channel: RTCDataChannel): void {
    if (this.open.length >= MAX_OPEN_CHANNELS) {
      this.refused.add(channel);
      this.dropped.refusedChannels++;
      channel.close();
      return;
    }
    this.open.push(channel);
    this.known.add(channel.id);
    this.opened++;
    this.handlers.opened(channel.id);
  }

  private onClosed(channel: RTCDataChannel, byPeer: boolean): void {
    // werift 0.24 keeps every channel the peer opened in its manager's list for good (it removes
    // only those it created): a peer that opens and closes channels would grow it forever.
    if (byPeer) {
      const manager = (this.pc as unknown as SctpManagerInternals).sctpManager;
      const i = manager.dataChannels.indexOf(channel);
      if (i >= 0) {
        manager.dataChannels.splice(i, 1);
        manager.dataChannelsClosed++;
      }
    }
    const i = this.open.indexOf(channel);
    if (i < 0) return; // refused, or closed before it opened
    this.open.splice(i, 1);
    this.closed++;
    this.handlers.closed(channel.id);
  }
}
