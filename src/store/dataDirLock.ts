/** One process per data directory: DATA_DIR/guestlist.lock names the process that holds it (pid and the kernel's
 * start time of that pid, so a reused pid is not mistaken for the holder). A lock whose process is gone (killed,
 * crashed, or a container restarted with the same pid) is stale and taken over; a live one stops the start. */
import { mkdir, readFile, rmdir, stat, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../config.js';
import { createFileWhole } from '../durableFiles.js';

interface Holder {
  pid: number;
  /** Field 22 of /proc/<pid>/stat (Linux); absent elsewhere. */
  start?: string;
  host: string;
  since: string;
}

/** A takeover guard left by a process that died in the middle of one (a few milliseconds) expires after this. */
const GUARD_EXPIRY_MS = 10_000;

async function startTimeOf(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

async function isAlive(holder: Holder): Promise<boolean> {
  if (holder.host !== os.hostname()) return true; // another machine's process: cannot tell, so never steal
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return holder.start === undefined || holder.start === (await startTimeOf(holder.pid));
}

async function readHolder(file: string): Promise<Holder | 'unreadable' | undefined> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) =>
    err.code === 'ENOENT' ? undefined : Promise.reject(err),
  );
  if (text === undefined) return undefined;
  try {
    const h = JSON.parse(text) as Holder;
    return Number.isInteger(h.pid) && typeof h.host === 'string' ? h : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

export interface DataDirLock {
  readonly file: string;
  release(): Promise<void>;
}

export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, 'guestlist.lock');
  const guard = `${file}.takeover`;
  const start = await startTimeOf(process.pid);
  const me: Holder = { pid: process.pid, start, host: os.hostname(), since: new Date().toISOString() };
  const mine = JSON.stringify(me);
  for (let attempt = 0; attempt < 50; attempt++) {
    if (await createFileWhole(file, mine, 0o644)) {
      return {
        file,
        async release() {
          // Only our own lock: never one that a later process took over.
          if ((await readFile(file, 'utf8').catch(() => '')) === mine) await unlink(file);
        },
      };
    }
    const holder = await readHolder(file);
    if (holder && holder !== 'unreadable' && (await isAlive(holder))) {
      throw new ConfigError(
        `The data directory ${dataDir} is in use by process ${holder.pid} on ${holder.host} (since ${holder.since}): ` +
          'one bot per data directory. Stop that one, or give this one its own DATA_DIR ' +
          '(several replicas need DATABASE_URL).',
      );
    }
    if (!holder) continue;
    // Stale. Only the holder of the guard removes it, after reading it again: two processes taking over the same
    // stale lock at once must not remove the lock one of them has just taken.
    const guarded = await mkdir(guard).then(
      () => true,
      () => false,
    );
    if (guarded) {
      try {
        const again = await readHolder(file);
        if (again === 'unreadable' || (again && !(await isAlive(again)))) await unlink(file).catch(() => undefined);
      } finally {
        await rmdir(guard).catch(() => undefined);
      }
    } else {
      const age = await stat(guard).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > GUARD_EXPIRY_MS) await rmdir(guard).catch(() => undefined);
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  throw new Error(`Could not take the lock ${file}; remove it if no bot runs on ${dataDir}.`);
}
