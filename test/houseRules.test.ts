/** House rules the formatter cannot enforce on its own: no line of code over 120 characters (it wraps code, but
 * not strings and comments). */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const FOLDERS = ['src', 'views', 'commands', 'test', 'bench'];
const MAX = 120;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'artifacts' ? [] : sources(full);
    return /\.(ts|mts)$/.test(e.name) ? [full] : [];
  });
}

describe('house rules', () => {
  it(`keeps every line of code under ${MAX + 1} characters`, () => {
    const long = FOLDERS.flatMap((f) => sources(path.join(ROOT, f))).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .map((line, i) => ({ where: `${path.relative(ROOT, file)}:${i + 1}`, length: [...line].length }))
        .filter((l) => l.length > MAX)
        .map((l) => `${l.where} (${l.length})`),
    );
    expect(long).toEqual([]);
  });
});
