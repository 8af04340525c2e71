/** Makes the embedded store's writes fail the way root cannot ignore: the journal it appends to is moved aside and a
 * directory takes its name (every commit opens it, and fails with EISDIR). The returned function puts it back. */
import { mkdir, readdir, rename, rmdir } from 'node:fs/promises';
import path from 'node:path';

export async function blockStoreWrites(dataDir: string, base = 'guestlist'): Promise<() => Promise<void>> {
  const gens = (await readdir(dataDir))
    .map((name) => new RegExp(`^${base}-journal\\.(\\d+)\\.jsonl$`).exec(name)?.[1])
    .filter((g): g is string => g !== undefined)
    .map(Number);
  if (!gens.length) throw new Error(`no journal in ${dataDir}`);
  const journal = path.join(dataDir, `${base}-journal.${Math.max(...gens)}.jsonl`);
  await rename(journal, `${journal}.aside`);
  await mkdir(journal);
  return async () => {
    await rmdir(journal);
    await rename(`${journal}.aside`, journal);
  };
}
