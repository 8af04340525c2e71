/** Diagnostics, not part of `npm run bench`: reruns the command benchmark with the running bot changed in memory,
 * to estimate what a fix in src/ would buy before making it. Usage: tsx bench/whatif.ts [variant ...]
 *   none           the bot as it is
 *   cache-lookups  the inviter's level and channel list cached per (team, user): one API call (dialogs/open) per
 *                  command
 *   memory-drafts  putDraft keeps the draft in memory (no store write before the dialog opens)
 *   both           both of the above
 *   all            both, and dialogs/open sent with node:http on a keep-alive agent instead of Client4's fetch
 * Each variant runs the bare-express baseline again, so every ratio is against its own baseline. */
import { benchCommand, type CommandFigures } from './command.js';
import { say, table } from './lib.js';
import { VARIANTS, type Variant } from './whatifVariants.js';

const chosen = process.argv.slice(2).filter((a) => (VARIANTS as string[]).includes(a)) as Variant[];

const results: [Variant, CommandFigures][] = [];
for (const variant of chosen.length ? chosen : VARIANTS) {
  say(`# what if: ${variant}`);
  const figures = await benchCommand({ whatIf: variant });
  results.push([variant, figures]);
}
table([
  ['variant', 'command req/s', 'baseline req/s', 'ratio', 'p50 ms', 'p99 ms', 'dialog p99 ms'],
  ...results.map(([v, f]) => [
    v,
    f.command_rps,
    f.baseline_rps,
    f.command_rps_ratio,
    f.command_p50_ms,
    f.command_p99_ms,
    f.dialog_open_p99_ms,
  ]),
]);
process.exit(0);
