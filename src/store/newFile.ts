/** Creates a file whole or not at all: the content is written and synced under a temp name, then linked to its
 * name, which fails when the name exists. A crash (or a full disk) never leaves a partial file under the name. */
import { randomBytes } from 'node:crypto';
import { link, open, unlink } from 'node:fs/promises';
import path from 'node:path';
import { syncDir } from './journal.js';

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
