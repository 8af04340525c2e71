/** Files written so that a crash or a full disk never leaves a partial one under its name: content synced under a
 * temp name, then renamed or linked into place, and the directory synced so that the name itself survives. */
import { randomBytes } from 'node:crypto';
import { type FileHandle, link, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `file` whole or not at all from `chunks` (awaited one by one, so a large snapshot does not hold the event
 * loop): temp file, sync, rename over the name, sync the directory. */
export async function writeFileSynced(file: string, chunks: Iterable<string>, mode = 0o644): Promise<void> {
  const temp = `${path.join(path.dirname(file), '.' + path.basename(file))}.${process.pid}.tmp`;
  let handle: FileHandle | undefined = await open(temp, 'w', mode);
  try {
    for (const chunk of chunks) await handle.write(chunk);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, file);
    await syncDir(path.dirname(file));
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/** Returns false, leaving the file as it was, when `file` already exists. */
export async function createFileWhole(file: string, content: string, mode = 0o600): Promise<boolean> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(content);
    await handle.sync();
    await handle.close();
    const created = await link(temp, file).then(
      () => true,
      (err: NodeJS.ErrnoException) => (err.code === 'EEXIST' ? false : Promise.reject(err)),
    );
    if (created) await syncDir(dir);
    return created;
  } finally {
    await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
  }
}
