/**
 * Media URIs are a security boundary: a client names a file to record into or to play, and must
 * not reach any other file of the server. `file://` URIs resolve inside configured media roots
 * (relative ones in the first root); a path that leaves its root, by `..` or through a symlink,
 * is refused by comparing real paths. `http(s)://` URIs may be limited to an allow-list of hosts;
 * `rtsp(s)://` URIs (a player's camera: the server connects out to them just as it fetches an http
 * URL) obey the same allow-list.
 */
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where a media URI leads once it passed the rules. */
export type ResolvedMediaUri =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'http'; readonly url: URL }
  /** An RTSP camera or server (`rtsp://`, `rtsps://`): only a player reads it, through GStreamer. */
  | { readonly kind: 'rtsp'; readonly url: URL };

/** A URI the server reads or writes itself, with mediabunny (recordings, files played, images): not rtsp. */
export type FileOrHttpUri = Exclude<ResolvedMediaUri, { readonly kind: 'rtsp' }>;

/** The rule a refused URI broke, for messages and tests. */
export type MediaUriRule = 'syntax' | 'scheme' | 'outside-roots' | 'symlink-out' | 'not-allowed-host' | 'no-roots';

/** A URI refused by the confinement rules; the message names the rule. */
export class MediaUriError extends Error {
  override readonly name = 'MediaUriError';
  constructor(
    /** The rule that refused it. */
    readonly rule: MediaUriRule,
    message: string,
  ) {
    super(message);
  }
}

/** The confinement settings (the server's `mediaRoots` and `httpAllowList`). */
export interface MediaUriPolicyOptions {
  /** Directories file URIs must stay in; the first one is where relative URIs resolve. */
  readonly mediaRoots: readonly string[];
  /** Hosts (`host` or `host:port`) http(s) and rtsp(s) URIs may name; empty: any host. */
  readonly httpAllowList: readonly string[];
}

/** The real path of `path`, or of its deepest existing ancestor joined with the rest (for files to be created). */
function realPathOrParent(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const parent = dirname(path);
    if (parent === path) return path;
    return resolve(realPathOrParent(parent), path.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
  }
}

const inside = (root: string, path: string): boolean => path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);

/** Resolves media URIs against the rules; one per server configuration. */
export class MediaUriPolicy {
  /** The roots as given, absolute. */
  readonly #roots: readonly string[];
  /** Allowed http hosts, lower case. */
  readonly #hosts: ReadonlySet<string>;

  constructor(options: MediaUriPolicyOptions) {
    this.#roots = options.mediaRoots.map((r) => resolve(r));
    this.#hosts = new Set(options.httpAllowList.map((h) => h.toLowerCase()));
  }

  /**
   * Where `uri` leads, or a MediaUriError naming the broken rule. A file to be created need not
   * exist: the real path of its deepest existing ancestor is what must stay inside a root.
   */
  resolve(uri: string): ResolvedMediaUri {
    if (/^https?:\/\//i.test(uri)) return { kind: 'http', url: this.#checkHost(uri, 'media URL') };
    if (/^rtsps?:\/\//i.test(uri)) return { kind: 'rtsp', url: this.#checkHost(uri, 'RTSP URL') };
    if (/^file:/i.test(uri)) return { kind: 'file', path: this.#checkFile(this.#filePath(uri)) };
    if (/^[a-z][a-z0-9+.-]*:/i.test(uri)) throw new MediaUriError('scheme', `media URI ${JSON.stringify(uri)}: only file://, http://, https://, rtsp:// and rtsps:// are supported`);
    return { kind: 'file', path: this.#checkFile(this.#relative(uri)) };
  }

  /** The path a file URI names; `file://name` and `file:name` without a leading slash are relative. */
  #filePath(uri: string): string {
    const rest = uri.replace(/^file:(\/\/)?/i, '');
    if (!rest.startsWith('/')) return this.#relative(decodeURIComponent(rest));
    try {
      return fileURLToPath(`file://${rest}`);
    } catch (e) {
      throw new MediaUriError('syntax', `media URI ${JSON.stringify(uri)}: ${(e as Error).message}`);
    }
  }

  #relative(path: string): string {
    const first = this.#roots[0];
    if (first === undefined) throw new MediaUriError('no-roots', 'no media roots are configured (mediaRoots / --media-root): file URIs are refused');
    if (path === '' || path.includes('\0')) throw new MediaUriError('syntax', `media URI path ${JSON.stringify(path)} is empty or holds a NUL byte`);
    return resolve(first, path);
  }

  #checkFile(path: string): string {
    if (!isAbsolute(path) || path.includes('\0')) throw new MediaUriError('syntax', `media path ${JSON.stringify(path)} is not absolute`);
    if (this.#roots.length === 0) throw new MediaUriError('no-roots', 'no media roots are configured (mediaRoots / --media-root): file URIs are refused');
    const lexical = resolve(path);
    if (!this.#roots.some((root) => inside(root, lexical))) {
      throw new MediaUriError('outside-roots', `media path ${lexical} is outside the media roots (${this.#roots.join(', ')}); allow it with --media-root`);
    }
    const real = realPathOrParent(lexical);
    const realRoots = this.#roots.map((root) => realPathOrParent(root));
    if (!realRoots.some((root) => inside(root, real))) {
      throw new MediaUriError('symlink-out', `media path ${lexical} leads through a symlink to ${real}, outside the media roots`);
    }
    return real;
  }

  /** A URL the server will connect out to: well formed, and its host on the allow-list when there is one. */
  #checkHost(uri: string, what: string): URL {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new MediaUriError('syntax', `media URI ${JSON.stringify(uri)} is not a valid URL`);
    }
    if (url.hostname === '') throw new MediaUriError('syntax', `${what} ${JSON.stringify(uri)} names no host`);
    if (this.#hosts.size > 0 && !this.#hosts.has(url.host.toLowerCase()) && !this.#hosts.has(url.hostname.toLowerCase())) {
      throw new MediaUriError('not-allowed-host', `${what} host ${url.host} is not in the HTTP allow-list (httpAllowList / --http-allow-list)`);
    }
    return url;
  }
}
