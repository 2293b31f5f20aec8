/**
 * The page's signalling WebSocket to its application server (same host, the tutorial's path):
 * opened on first use and again after it closed, JSON both ways. A message sent while it opens
 * waits for it; one sent while it is closed is dropped (the server has forgotten this page by
 * then anyway).
 */

/** What a PageSocket tells its page. */
export interface SocketHandlers<In> {
  /** A message from the server, parsed (its id is a string; the rest is the server's word). */
  message(message: In): void;
  /** Something the server sent that is not a JSON object with a string id. */
  unreadable(text: string): void;
  /** The socket closed (the server stopped, or the network went away). */
  closed(): void;
}

/** The page's signalling socket: `In` what the server sends, `Out` what the page sends. */
export class PageSocket<In extends { id: string }, Out extends { id: string }> {
  #socket: Promise<WebSocket> | undefined;

  constructor(private readonly path: string, private readonly handlers: SocketHandlers<In>) {}

  /** Opens the socket unless it is open; rejects when the server cannot be reached. */
  open(): Promise<WebSocket> {
    return (this.#socket ??= new Promise((resolve, reject) => {
      const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${this.path}`);
      ws.onopen = () => resolve(ws);
      ws.onmessage = (event) => this.#receive(String(event.data));
      ws.onclose = () => {
        this.#socket = undefined;
        reject(new Error('Cannot reach the application server.'));
        this.handlers.closed();
      };
    }));
  }

  /** Sends `message` once the socket is open (dropped if it is not opening or open). */
  send(message: Out): void {
    void this.#socket?.then((ws) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
    }, () => undefined);
  }

  #receive(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return this.handlers.unreadable(text);
    }
    if (typeof message !== 'object' || message === null || typeof (message as { id?: unknown }).id !== 'string') return this.handlers.unreadable(text);
    this.handlers.message(message as In);
  }
}
