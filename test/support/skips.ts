/** Suites that skip because something they need is missing (PostgreSQL, Chromium). Locally they skip with a
 * warning and the run ends with a loud summary (globalSetup.ts); under CI=true, or REQUIRE_POSTGRES=1 /
 * REQUIRE_BROWSER=1, a missing dependency is a failure instead, so CI runs the same tests as a full local run. */
import { appendFileSync } from 'node:fs';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    skipsFile: string;
  }
}

export const requiredByCi = (flag: string) => process.env[flag] === '1' || process.env.CI === 'true';

/** Notes a skipped suite for the end-of-run summary, and warns now. */
export function recordSkip(suite: string, why: string): void {
  console.warn(`Skipping ${suite}: ${why}`);
  appendFileSync(inject('skipsFile'), `${suite}: ${why}\n`);
}
