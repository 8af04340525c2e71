/** Collects the suites that skipped for want of PostgreSQL or Chromium, and says so at the very end of the run. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

export default function setup(project: TestProject) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'guestlist-skips-'));
  const file = path.join(dir, 'skips.txt');
  project.provide('skipsFile', file);
  return () => {
    let skipped: string[] = [];
    try {
      skipped = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    } catch {
      // nothing skipped
    }
    rmSync(dir, { recursive: true, force: true });
    if (!skipped.length) return;
    const bar = '!'.repeat(100);
    process.stderr.write(
      `\n${bar}\nNOT A FULL RUN: ${skipped.length} suite(s) skipped (CI=true makes these failures):\n`,
    );
    for (const line of skipped) process.stderr.write(`  - ${line}\n`);
    process.stderr.write(`${bar}\n`);
  };
}
