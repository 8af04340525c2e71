/** The HMAC key: GUESTLIST_SECRET, or one generated on first start and kept in DATA_DIR/secret (mode 0600).
 * A key shorter than 32 bytes would let anyone forge buttons, so the bot refuses to start with one. */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../config.js';
import { createFileWhole } from '../durableFiles.js';

export const MIN_SECRET_BYTES = 32;

function checked(secret: string, source: string): string {
  const bytes = Buffer.byteLength(secret, 'utf8');
  if (bytes < MIN_SECRET_BYTES) {
    throw new ConfigError(
      `The signing secret in ${source} is ${bytes} bytes long; at least ${MIN_SECRET_BYTES} are needed. Set ` +
        'GUESTLIST_SECRET to a longer one, or remove the file to have one generated ' +
        '(signed buttons and forms then stop working).',
    );
  }
  return secret;
}

async function readSecret(file: string): Promise<string | undefined> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) =>
    err.code === 'ENOENT' ? undefined : Promise.reject(err),
  );
  return text === undefined ? undefined : checked(text.trim(), file);
}

export async function loadOrCreateSecret(dataDir: string, configured?: string): Promise<string> {
  if (configured !== undefined) return checked(configured, 'GUESTLIST_SECRET');
  const file = path.join(dataDir, 'secret');
  const found = await readSecret(file);
  if (found) return found;
  await mkdir(dataDir, { recursive: true });
  // When another process generated one first, that one is everyone's secret.
  await createFileWhole(file, randomBytes(32).toString('base64url'));
  const secret = await readSecret(file);
  if (!secret) throw new Error(`${file} vanished while the bot was starting`);
  return secret;
}
