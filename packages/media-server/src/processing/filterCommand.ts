/**
 * GStreamerFilter commands: one GStreamer element in gst-launch syntax (`videoflip
 * method=horizontal-flip`, `textoverlay text="hello" valignment=top`). A command is code run on
 * the server, so it is held to an allow-list of elements that only transform the media they are
 * given: nothing that reads or writes files, opens sockets, starts processes or hands data to
 * another program. The syntax is checked here, before any process starts; GStreamer then parses
 * the same text in the unit's process, which checks again that it made exactly one element of an
 * allowed factory (see helper/gst_unit.py).
 */
import { ProcessingError } from './errors.js';

/** What a filter works on (Kurento's FilterType). */
export type FilterType = 'AUDIO' | 'VIDEO' | 'AUTODETECT';

/** The media kind an allow-listed element takes: raw video, raw audio, or either (caps only). */
export type FilterKind = 'VIDEO' | 'AUDIO' | 'ANY';

/** An allow-listed element: what it takes, and the Debian package that brings it. */
export interface AllowedElement {
  readonly kind: FilterKind;
  readonly package: string;
}

const GOOD = 'gstreamer1.0-plugins-good';
const BASE = 'gstreamer1.0-plugins-base';
const BAD = 'gstreamer1.0-plugins-bad';
const X = 'gstreamer1.0-x';

const entries = (kind: FilterKind, pkg: string, names: string): [string, AllowedElement][] => names.split(' ').map((name) => [name, { kind, package: pkg }]);

/**
 * The elements a GStreamerFilter may run (GStreamer 1.22). Each one transforms raw video or
 * audio in memory, or only reads it (level, spectrum post messages). Deliberately absent: every
 * source and sink (filesrc, filesink, multifilesink, appsink, shmsink, udpsink, souphttpsrc...),
 * elements that load a file named by a property (gdkpixbufoverlay, facedetect's cascades,
 * frei0r and LADSPA hosts), bins, and elements with request pads (tee, mixers).
 */
export const ALLOWED_FILTER_ELEMENTS: ReadonlyMap<string, AllowedElement> = new Map([
  ...entries('VIDEO', GOOD, 'videoflip videobalance gamma videomedian videocrop videobox alpha alphacolor deinterlace agingtv dicetv edgetv optv quarktv radioactv revtv rippletv shagadelictv streaktv vertigotv warptv'),
  ...entries('VIDEO', BASE, 'videoscale videorate videoconvert'),
  ...entries('VIDEO', BAD, 'coloreffects chromahold burn chromium dilate dodge exclusion gaussianblur solarize bulge circle diffuse fisheye kaleidoscope marble mirror perspective pinch rotate sphere square stretch tunnel twirl waterripple'),
  ...entries('VIDEO', X, 'textoverlay timeoverlay clockoverlay'),
  ...entries('AUDIO', BASE, 'volume audioconvert audioresample audiorate'),
  ...entries('AUDIO', GOOD, 'audioamplify audiopanorama audioinvert audiokaraoke audioecho audiodynamic audiocheblimit audiochebband audiowsinclimit audiowsincband equalizer-3bands equalizer-10bands equalizer-nbands scaletempo level spectrum'),
  ...entries('AUDIO', BAD, 'pitch'),
  ...entries('ANY', 'libgstreamer1.0-0', 'capsfilter'),
]);

/** A command whose syntax was checked: its element's factory name and its properties in order. */
export interface ParsedCommand {
  /** The command as given, trimmed (GStreamer parses this same text). */
  readonly command: string;
  readonly factory: string;
  readonly properties: readonly (readonly [name: string, value: string])[];
}

/** Longest command or property value accepted. */
export const MAX_COMMAND_LENGTH = 4096;

const FACTORY = /^[A-Za-z0-9][A-Za-z0-9_+-]*$/;
const PROPERTY = /^[A-Za-z][A-Za-z0-9_-]*$/;

const invalid = (message: string): ProcessingError => new ProcessingError('invalid-command', message);
const notOne = (message: string): ProcessingError => new ProcessingError('not-one-element', message);

/**
 * Checks that a command is one element with `name=value` properties (values unquoted, or in
 * double quotes with backslash escapes) and returns its parts; throws a ProcessingError that
 * says what is wrong otherwise. Allow-list and existence are checked where GStreamer runs.
 */
export function parseFilterCommand(command: string): ParsedCommand {
  if (typeof command !== 'string') throw invalid('the command must be a string');
  const text = command.trim();
  if (text === '') throw invalid('the command is empty: give one GStreamer element, e.g. "videoflip method=horizontal-flip"');
  if (text.length > MAX_COMMAND_LENGTH) throw invalid(`the command is longer than ${MAX_COMMAND_LENGTH} characters`);
  const tokens = tokenize(text);
  const [factory, ...rest] = tokens;
  if (factory === undefined) throw invalid('the command is empty');
  if (factory.quoted || !FACTORY.test(factory.text)) throw invalid(`'${factory.text}' is not an element name`);
  const properties: (readonly [string, string])[] = [];
  for (const token of rest) {
    const eq = token.text.indexOf('=');
    if (token.quoted || eq < 0) throw notOne(`'${token.text}' is not a property=value pair: a command is one element, not a pipeline`);
    const name = token.text.slice(0, eq);
    if (!PROPERTY.test(name)) throw invalid(`'${name}' is not a property name`);
    properties.push([name, token.value ?? token.text.slice(eq + 1)]);
  }
  return { command: text, factory: factory.text, properties };
}

/** Checks the name of a property for setElementProperty (its existence is GStreamer's to say). */
export function checkPropertyName(name: string): void {
  if (typeof name !== 'string' || !PROPERTY.test(name)) throw new ProcessingError('no-such-property', `'${String(name)}' is not a property name`);
}

interface Token {
  /** The token as written, `name="quoted value"` included. */
  readonly text: string;
  /** For `name="..."`: the value without its quotes and escapes. */
  readonly value?: string;
  /** A bare quoted string (not after `name=`). */
  readonly quoted: boolean;
}

/** Splits on whitespace, keeping double-quoted values whole; refuses gst-launch's links, bins and references. */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text.charAt(i))) i++;
    if (i >= text.length) break;
    const start = i;
    let value: string | undefined;
    let quoted = false;
    while (i < text.length && !/\s/.test(text.charAt(i))) {
      const c = text.charAt(i);
      if (c === '!') throw notOne("the command links elements with '!': a GStreamerFilter runs one element, not a pipeline");
      if (c === '(' || c === ')') throw notOne("the command has '(' or ')': bins are not allowed, only one element");
      if (c === "'") throw invalid('use double quotes for values');
      if (c === '"') {
        quoted = start === i;
        const [parsed, end] = readQuoted(text, i);
        value = parsed;
        i = end;
        continue;
      }
      i++;
    }
    const raw = text.slice(start, i);
    if (raw.endsWith('.') && !raw.includes('=')) throw notOne(`'${raw}' refers to another element: a command is one element`);
    tokens.push({ text: raw, value: quoted ? undefined : value, quoted });
  }
  return tokens;
}

/** Reads a double-quoted string starting at `text[at]`; returns its value and the index after it. */
function readQuoted(text: string, at: number): [string, number] {
  let value = '';
  let i = at + 1;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c === '\\' && i + 1 < text.length) {
      value += text.charAt(i + 1);
      i += 2;
    } else if (c === '"') {
      return [value, i + 1];
    } else {
      value += c;
      i++;
    }
  }
  throw invalid('a double quote is not closed');
}
