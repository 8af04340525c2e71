/** The what-if variants of bench/whatif.ts, applied inside the Guestlist target's process (bench/target.ts). */
import http from 'node:http';
import type { App } from '../src/app.js';
import { MattermostApi } from '../src/platforms/mattermost/api.js';
import type { Draft } from '../src/store/store.js';

export type Variant = 'none' | 'cache-lookups' | 'memory-drafts' | 'both' | 'all';
export const VARIANTS: Variant[] = ['none', 'cache-lookups', 'memory-drafts', 'both', 'all'];

const originalLevel = MattermostApi.prototype.level;
const originalChannels = MattermostApi.prototype.channelsOf;

function cacheLookups(): void {
  const levels = new Map<string, Promise<Awaited<ReturnType<typeof originalLevel>>>>();
  const channels = new Map<string, Promise<Awaited<ReturnType<typeof originalChannels>>>>();
  MattermostApi.prototype.level = function (teamId, userId) {
    const key = `${teamId}:${userId}`;
    if (!levels.has(key)) levels.set(key, originalLevel.call(this, teamId, userId));
    return levels.get(key)!;
  };
  MattermostApi.prototype.channelsOf = function (teamId, userId) {
    const key = `${teamId}:${userId}`;
    if (!channels.has(key)) channels.set(key, originalChannels.call(this, teamId, userId));
    return channels.get(key)!;
  };
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
