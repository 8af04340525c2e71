/** The embedded store's files: a snapshot (`guestlist.json`, compact JSON) and journals beside it
 * (`guestlist-journal.<gen>.jsonl`), one JSON array of changes a line, one line per group commit. A journal is
 * appended to by one process run only; the snapshot names the first generation it does not hold, so opening reads the
 * snapshot, then every later journal in order. A line cut short by a crash can only be a journal's last one and was
 * never acknowledged: it is skipped. Every write is synced (file, and directory when a name appears). */
import { open, readdir, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { syncDir } from '../durableFiles.js';

/** One change to one record: set (whole record) or delete, or an audit entry (kept as its JSON line). */
export type Op =
  | ['i' | 'j' | 'd', Record<string, unknown>]
  | ['I' | 'J' | 'D', string]
  | ['r', string, number[]]
  | ['a', Record<string, unknown>];

export class JournalFiles {
  constructor(
    readonly dir: string,
    private readonly base: string,
  ) {}

  journal(gen: number): string {
    return path.join(this.dir, `${this.base}-journal.${gen}.jsonl`);
  }

  /** The generations of the journals present, in order. */
  async generations(): Promise<number[]> {
    const pattern = new RegExp(`^${this.base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-journal\\.(\\d+)\\.jsonl$`);
    const names = await readdir(this.dir);
    return names
      .map((n) => pattern.exec(n)?.[1])
      .filter((g): g is string => g !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  }

  /** The lines of a journal, parsed; a torn last line is dropped. Anything else that is not JSON is refused. */
  async read(gen: number): Promise<{ ops: Op[][]; bytes: number }> {
    const file = this.journal(gen);
    const text = await readFile(file, 'utf8');
    const lines = text.split('\n');
    const ops: Op[][] = [];
    for (const [n, line] of lines.entries()) {
      if (!line) continue;
      try {
        ops.push(JSON.parse(line) as Op[]);
      } catch (err) {
        if (n === lines.length - 1) break; // torn by a crash: never synced, never acknowledged
        throw new Error(
          `The journal ${file} is broken at line ${n + 1} (${(err as Error).message}); fix or move it away.`,
        );
      }
    }
    return { ops, bytes: Buffer.byteLength(text) };
  }

  /** Creates an empty journal (and makes its name durable). */
  async create(gen: number): Promise<void> {
    const handle = await open(this.journal(gen), 'wx');
    await handle.sync().finally(() => handle.close());
    await syncDir(this.dir);
  }

  /** Appends one line and syncs it. The journal is opened for each group commit: cheap next to the sync, and a
   * journal that became unwritable fails the write at once. */
  async append(gen: number, line: string): Promise<void> {
    const handle = await open(this.journal(gen), 'a');
    try {
      await handle.write(line);
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }

  async remove(gens: number[]): Promise<void> {
    for (const gen of gens) await unlink(this.journal(gen)).catch(() => undefined);
  }

  async size(gen: number): Promise<number> {
    return (await stat(this.journal(gen))).size;
  }
}

/** Cuts `file` back to `length` bytes (dropping what an interrupted run appended past it), appends `text` and syncs;
 * returns the new length. A missing file is created. */
export async function appendAfter(file: string, length: number, text: string): Promise<number> {
  const handle = await open(file, 'a+');
  try {
    const { size } = await handle.stat();
    if (size !== length) await handle.truncate(Math.min(size, length));
    await handle.write(text, Math.min(size, length));
    await handle.sync();
    return Math.min(size, length) + Buffer.byteLength(text);
  } finally {
    await handle.close();
  }
}
