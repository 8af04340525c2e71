/** Diagnostics, not part of `npm run bench`: reruns the command benchmark with the running bot changed in memory,
 * to estimate what a fix in src/ would buy before making it. Usage: tsx bench/whatif.ts [variant ...]
 *   none           the bot as it is
 *   cache-lookups  the inviter's level and channel list cached per (team, user): one API call (dialogs/open) per command
 *   memory-drafts  putDraft keeps the draft in memory (no store write before the dialog opens)
 *   both           both of the above
 *   all            both, and dialogs/open sent with node:http on a keep-alive agent instead of Client4's fetch
 * Each variant runs the bare-express baseline again, so every ratio is against its own baseline. */
import http from 'node:http';
import { MattermostApi } from '../src/platforms/mattermost/api.js';
import type { App } from '../src/app.js';
import type { Draft } from '../src/store/store.js';
import { benchCommand, type CommandFigures } from './command.js';
import { say, table } from './lib.js';

type Variant = 'none' | 'cache-lookups' | 'memory-drafts' | 'both' | 'all';
const VARIANTS: Variant[] = ['none', 'cache-lookups', 'memory-drafts', 'both', 'all'];
const chosen = (process.argv.slice(2).filter((a) => (VARIANTS as string[]).includes(a)) as Variant[]);

const originalLevel = MattermostApi.prototype.level;
const originalChannels = MattermostApi.prototype.channelsOf;

function cacheLookups(on: boolean): void {
  if (!on) {
    MattermostApi.prototype.level = originalLevel;
    MattermostApi.prototype.channelsOf = originalChannels;
    return;
  }
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

const originalOpen = MattermostApi.prototype.openDialog;
function plainHttpOpen(on: boolean): void {
  if (!on) {
    MattermostApi.prototype.openDialog = originalOpen;
    return;
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  MattermostApi.prototype.openDialog = function (open) {
    const body = JSON.stringify(open);
    return new Promise<void>((resolve, reject) => {
      const req = http.request(`${this.url}/api/v4/actions/dialogs/open`, {
        method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      });
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

const results: [Variant, CommandFigures][] = [];
for (const variant of chosen.length ? chosen : VARIANTS) {
  say(`# what if: ${variant}`);
  cacheLookups(variant === 'cache-lookups' || variant === 'both' || variant === 'all');
  plainHttpOpen(variant === 'all');
  const figures = await benchCommand((app) => {
    if (variant === 'memory-drafts' || variant === 'both' || variant === 'all') memoryDrafts(app);
  });
  results.push([variant, figures]);
}
cacheLookups(false);
plainHttpOpen(false);
table([
  ['variant', 'command req/s', 'baseline req/s', 'ratio', 'p50 ms', 'p99 ms', 'dialog p99 ms'],
  ...results.map(([v, f]) => [v, f.command_rps, f.baseline_rps, f.command_rps_ratio, f.command_p50_ms, f.command_p99_ms, f.dialog_open_p99_ms]),
]);
process.exit(0);
