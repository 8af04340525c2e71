/** The what-if variants of bench/whatif.ts, applied inside the Guestlist target's process (bench/target.ts). */
import http from 'node:http';
import mm from '@mattermost/client';
import type { App } from '../src/app.js';
import { MattermostApi } from '../src/platforms/mattermost/api.js';
import type { Draft } from '../src/store/store.js';

export type Variant = 'none' | 'cache-lookups' | 'memory-drafts' | 'both' | 'all';
export const VARIANTS: Variant[] = ['none', 'cache-lookups', 'memory-drafts', 'both', 'all'];

const { Client4 } = mm;
const originalUser = Client4.prototype.getUser;
const originalMember = Client4.prototype.getTeamMember;
const originalChannels = MattermostApi.prototype.channelsOf;

/** Remembers each answer by its arguments: the inviter's level (their user and team member) and channels. */
function cached<A extends unknown[], R>(original: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  const answers = new Map<string, Promise<R>>();
  return function (this: unknown, ...args: A) {
    const key = args.join(':');
    if (!answers.has(key)) answers.set(key, original.apply(this, args));
    return answers.get(key)!;
  };
}

function cacheLookups(): void {
  Client4.prototype.getUser = cached(originalUser);
  Client4.prototype.getTeamMember = cached(originalMember);
  MattermostApi.prototype.channelsOf = cached(originalChannels);
}

function plainHttpOpen(): void {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  MattermostApi.prototype.openDialog = function (open) {
    const body = JSON.stringify(open);
    return new Promise<void>((resolve, reject) => {
      const req = http.request(
        `${this.url}/api/v4/actions/dialogs/open`,
        {
          method: 'POST',
          agent,
          headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
}

function memoryDrafts(app: App): void {
  const drafts = new Map<string, Draft>();
  app.store.putDraft = async (draft) => void drafts.set(draft.id, draft);
  const getDraft = app.store.getDraft.bind(app.store);
  app.store.getDraft = async (id) => drafts.get(id) ?? getDraft(id);
}

export function applyWhatIf(variant: Variant, app: App): void {
  if (variant === 'cache-lookups' || variant === 'both' || variant === 'all') cacheLookups();
  if (variant === 'all') plainHttpOpen();
  if (variant === 'memory-drafts' || variant === 'both' || variant === 'all') memoryDrafts(app);
}
