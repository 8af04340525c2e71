/** The audit enum is the whole list: every action the code writes is in it, and everything in it is written. */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS } from '../../src/core/model.js';

async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => path.join(e.parentPath, e.name));
}

/** `action: 'x'` in an audit entry, and statusPoll's `audit('x')`. */
const WRITTEN = /\baction: '([a-z_-]+)'|\baudit\('([a-z_-]+)'\)/g;

describe('audit actions', () => {
  it('lists every action written under src, and writes every action it lists', async () => {
    const written = new Set<string>();
    for (const file of await sources(path.resolve('src'))) {
      for (const m of (await readFile(file, 'utf8')).matchAll(WRITTEN)) written.add((m[1] ?? m[2])!);
    }
    // decideApproval writes its event's name ('approve' | 'deny'), typed against the enum.
    written.add('approve').add('deny');
    expect([...written].filter((a) => !(AUDIT_ACTIONS as readonly string[]).includes(a))).toEqual([]);
    expect(AUDIT_ACTIONS.filter((a) => !written.has(a))).toEqual([]);
  });
});
