/** Files of the project itself that the bot reads at run time (its version, the Slack manifest), found upwards from
 * this file: it sits in src/ when run with tsx and in dist/src/ when compiled (the Docker image copies package.json
 * and manifest.yml next to dist/). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 4; up++, dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      if (pkg.name === 'guestlist') return dir;
    } catch {
      // not here: one level up
    }
  }
  return undefined;
}

const ROOT = findRoot();

/** A file at the project's root, or undefined when it is not there. */
export function readProjectFile(name: string): string | undefined {
  if (!ROOT) return undefined;
  try {
    return readFileSync(path.join(ROOT, name), 'utf8');
  } catch {
    return undefined;
  }
}

function readVersion(): string {
  const version = (JSON.parse(readProjectFile('package.json') ?? '{}') as { version?: unknown }).version;
  return typeof version === 'string' ? version : 'unknown';
}

export const VERSION = readVersion();
