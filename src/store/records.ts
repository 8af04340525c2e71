/** What may enter a store: a record parsed against its schema (known fields only, unknown keys dropped) that is
 * plain JSON of bounded depth. One bad value (a BigInt, a cycle, nesting deep enough to overflow JSON.stringify)
 * is then refused with its own change, instead of making every later write of the file fail. */
import type { z } from 'zod';

export class StoreRecordError extends Error {}

/** Far deeper than any record the bot makes (an invitation is four levels deep). */
const MAX_DEPTH = 16;

/** Drafts kept per person: a dialog left open is one, and the oldest go first. */
export const MAX_DRAFTS_PER_USER = 20;

function assertPlainJson(value: unknown, depth: number, what: string): void {
  if (value === null || value === undefined || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return;
    throw new StoreRecordError(`${what} refused: it holds a number JSON cannot keep (${value})`);
  }
  if (typeof value !== 'object') throw new StoreRecordError(`${what} refused: it holds a ${typeof value}`);
  if (depth >= MAX_DEPTH) {
    throw new StoreRecordError(`${what} refused: it is nested more than ${MAX_DEPTH} levels deep`);
  }
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
    throw new StoreRecordError(`${what} refused: it holds a ${proto?.constructor?.name ?? 'non-plain'} object`);
  }
  for (const inner of Object.values(value)) assertPlainJson(inner, depth + 1, what);
}

export function admit<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StoreRecordError(`${what} refused: ${issue?.path.join('.') || 'value'}: ${issue?.message}`);
  }
  assertPlainJson(parsed.data, 0, what);
  return parsed.data;
}
