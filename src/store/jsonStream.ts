/** Reads a large JSON object file piece by piece: each element of its top-level arrays is parsed on its own and
 * handed over at once, so that neither the whole text nor the whole parsed tree is ever held (the embedded store's
 * snapshot holds every record; parsing it whole took several times its size in memory). */
import { open } from 'node:fs/promises';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const READ_BYTES = 1 << 20;

const isSpace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;

type Phase = 'start' | 'key' | 'colon' | 'value' | 'elements' | 'capture' | 'done';

/** Not a JSON object of the expected shape (the caller reads the file whole to say what is wrong with it). */
export class JsonStreamError extends Error {}

/** Streams `file`, a JSON object: calls `element(key, value)` for each element of the top-level arrays named in
 * `arrays`, in order, and returns the other top-level members (parsed), and which of `arrays` were arrays. Returns
 * undefined when the file does not exist. Throws JsonStreamError on anything that is not such an object. */
export async function streamJsonObject(
  file: string,
  arrays: ReadonlySet<string>,
  element: (key: string, value: unknown) => void,
  readBytes = READ_BYTES,
): Promise<{ members: Record<string, unknown>; arrays: Set<string> } | undefined> {
  const handle = await open(file, 'r').catch((err: NodeJS.ErrnoException) =>
    err.code === 'ENOENT' ? undefined : Promise.reject(err),
  );
  if (!handle) return undefined;
  const scanner = new Scanner(arrays, element);
  // One buffer for the whole file: what a record holds of it is copied out before the next read.
  const buf = Buffer.allocUnsafe(readBytes);
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, readBytes, null);
      if (!bytesRead) break;
      scanner.feed(buf.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return scanner.end();
}

class Scanner {
  private phase: Phase = 'start';
  private key = '';
  /** Where a capture returns: the member list (value of a key) or an array's elements. */
  private after: 'key' | 'colon' | 'elements' = 'key';
  private readonly members: Record<string, unknown> = {};
  private readonly seen = new Set<string>();
  // The value being captured: its pieces from earlier chunks, and its scan state.
  private pieces: Buffer[] = [];
  private depth = 0;
  private inString = false;
  /** The next byte of the string is escaped (a chunk ended inside an escape). */
  private escaped = false;
  private scalar = false;
  // Between the members or elements of the current object or array.
  private expectComma = false;
  private afterComma = false;

  constructor(
    private readonly arrays: ReadonlySet<string>,
    private readonly element: (key: string, value: unknown) => void,
  ) {}

  feed(buf: Buffer): void {
    let i = 0;
    let start = 0; // where the capture's part in this chunk begins
    const n = buf.length;
    while (i < n) {
      const b = buf[i]!;
      switch (this.phase) {
        case 'start':
          if (isSpace(b)) i++;
          else if (b === 0x7b) {
            this.phase = 'key';
            this.separated(false);
            i++;
          } else throw new JsonStreamError('not an object');
          break;
        case 'key':
          if (isSpace(b)) i++;
          else if (b === 0x2c) {
            this.comma();
            i++;
          } else if (b === 0x7d) {
            if (this.afterComma) throw new JsonStreamError('a comma before }');
            this.phase = 'done';
            i++;
          } else if (b === QUOTE) {
            if (this.expectComma) throw new JsonStreamError('expected a comma');
            this.begin('colon');
            start = i;
          } else throw new JsonStreamError('expected a key');
          break;
        case 'colon':
          if (isSpace(b)) i++;
          else if (b === 0x3a) {
            this.phase = 'value';
            i++;
          } else throw new JsonStreamError('expected a colon');
          break;
        case 'value':
          if (isSpace(b)) i++;
          else if (b === 0x5b && this.arrays.has(this.key)) {
            this.seen.add(this.key);
            this.phase = 'elements';
            this.separated(false);
            i++;
          } else {
            this.begin('key');
            start = i;
          }
          break;
        case 'elements':
          if (isSpace(b)) i++;
          else if (b === 0x2c) {
            this.comma();
            i++;
          } else if (b === 0x5d) {
            if (this.afterComma) throw new JsonStreamError('a comma before ]');
            this.phase = 'key';
            this.separated(true); // the array was a member's value
            i++;
          } else {
            if (this.expectComma) throw new JsonStreamError('expected a comma');
            this.begin('elements');
            start = i;
          }
          break;
        case 'capture': {
          const end = this.scan(buf, i);
          if (end < 0) {
            i = n;
            break;
          }
          this.pieces.push(buf.subarray(start, end));
          const text = (this.pieces.length === 1 ? this.pieces[0]! : Buffer.concat(this.pieces)).toString('utf8');
          this.pieces = [];
          this.finish(text);
          i = end;
          break;
        }
        case 'done':
          if (isSpace(b)) i++;
          else throw new JsonStreamError('text after the object');
          break;
      }
    }
    if (this.phase === 'capture') this.pieces.push(Buffer.from(buf.subarray(start)));
  }

  end(): { members: Record<string, unknown>; arrays: Set<string> } {
    if (this.phase !== 'done') throw new JsonStreamError('cut short');
    return { members: this.members, arrays: this.seen };
  }

  /** `expect`: a value just ended, so a comma (or the end) must come next. */
  private separated(expect: boolean): void {
    this.expectComma = expect;
    this.afterComma = false;
  }

  private comma(): void {
    if (!this.expectComma) throw new JsonStreamError('a comma out of place');
    this.expectComma = false;
    this.afterComma = true;
  }

  private begin(after: 'key' | 'colon' | 'elements'): void {
    this.afterComma = false;
    this.phase = 'capture';
    this.after = after;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.scalar = false;
  }

  /** Scans the value being captured from `i`; returns where it ends (exclusive), or -1 when it goes on past `buf`. */
  private scan(buf: Buffer, from: number): number {
    let i = from;
    const n = buf.length;
    while (i < n) {
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
          i++;
          continue;
        }
        const q = buf.indexOf(QUOTE, i);
        if (q < 0) {
          let run = 0;
          for (let k = n - 1; k >= i && buf[k] === BACKSLASH; k--) run++;
          this.escaped = run % 2 === 1;
          return -1;
        }
        let run = 0;
        for (let k = q - 1; k >= i && buf[k] === BACKSLASH; k--) run++;
        i = q + 1;
        if (run % 2 === 1) continue;
        this.inString = false;
        if (this.depth === 0) return i; // a string value
        continue;
      }
      const b = buf[i]!;
      if (this.scalar) {
        if (isSpace(b) || b === 0x2c || b === 0x7d || b === 0x5d) return i;
        i++;
        continue;
      }
      if (b === QUOTE) this.inString = true;
      else if (b === 0x7b || b === 0x5b) this.depth++;
      else if (b === 0x7d || b === 0x5d) {
        if (--this.depth === 0) return i + 1;
        if (this.depth < 0) throw new JsonStreamError('unbalanced');
      } else if (this.depth === 0 && !isSpace(b)) this.scalar = true;
      i++;
    }
    return -1;
  }

  private finish(text: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new JsonStreamError((err as Error).message);
    }
    if (this.after === 'colon') {
      if (typeof value !== 'string') throw new JsonStreamError('expected a key');
      this.key = value;
    } else if (this.after === 'elements') this.element(this.key, value);
    else this.members[this.key] = value;
    this.phase = this.after;
    if (this.after !== 'colon') this.separated(true);
  }
}
