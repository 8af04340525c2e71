/** One size of the lowdb store benchmark in a process of its own (see lowdbSize in bench/store.ts), so that its
 * resident memory is the store's (it loads nothing else). Sends the result to the parent. */
import { lowdbSize } from './storeWrites.js';

const [size, dir, mib] = process.argv.slice(2);
const reply = await lowdbSize(Number(size), dir!, Number(mib)).catch((err: Error) => ({
  error: err.stack ?? String(err),
}));
process.send!(reply, undefined, {}, () => process.exit(0));
