/**
 * What a tutorial tells the kit about itself: its names, its page, and its signalling, the one
 * part that differs from tutorial to tutorial. The kit does the rest (options, certificate,
 * HTTPS and WebSocket server, media server, ready lines, signals).
 */
import type { KurentoClient } from '@kurento-ts/client';

/** Problems the app meets while running (a failed release, say), for the log. */
export type FaultListener = (error: unknown) => void;

/** One page's socket, as the tutorial's signalling sees it. */
export interface PageSession {
  /** Handles one text frame from the page; failures are answered to the page, never thrown. */
  receive(text: string): void | Promise<void>;
  /** The socket closed: releases everything of this page (work under way included). Idempotent. */
  close(): Promise<void>;
}

/** A tutorial's application logic: state shared by every page (users, rooms) and a session per page. */
export interface Signalling<Out> {
  /** A page opened the signalling socket; `send` reaches that page while its socket is open. */
  open(send: (message: Out) => void): PageSession;
  /** The app stops, after every page's session closed: lets go of what the signalling itself holds (files, say). */
  close?(): Promise<void>;
}

/** A tutorial, described for the kit; `Out` is the type of the messages its server sends to pages. */
export interface Tutorial<Out> {
  /** The tutorial's name in sentences: "Hello World". */
  title: string;
  /** Its folder under tutorials/ and the prefix of its log lines: "hello-world". */
  name: string;
  /** Prefix of its own environment variables: HELLO_WORLD → HELLO_WORLD_PORT, HELLO_WORLD_HOST. */
  envPrefix: string;
  /** How users start it, for --help: "npm start". */
  command: string;
  /** A sentence or two for --help: what it does. */
  summary: string;
  /** What to do once the page is open, for the ready line: "press Start". */
  hint: string;
  /** The WebSocket path of the page's signalling: "/helloworld". */
  signallingPath: string;
  /** The page's folder: index.html, style.css and app.ts (bundled at start). */
  publicDir: string;
  /** Makes the signalling of one start of the app. */
  signalling(kurento: KurentoClient, onFault: FaultListener): Signalling<Out>;
}
