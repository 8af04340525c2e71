/** Time and ids come from here so that jobs, expiry and tests can use a controllable clock. */
import { randomFillSync } from 'node:crypto';

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

const ID_BYTES = 16;
/** Random bytes drawn 256 ids at a time: one call to the system's generator costs as much as a whole batch. */
const pool = Buffer.alloc(ID_BYTES * 256);
let taken = pool.length;

/** 128 random bits as hex: unguessable, and safe in URLs and in Mattermost button ids ([A-Za-z0-9]+). */
export function newId(): string {
  if (taken === pool.length) {
    randomFillSync(pool);
    taken = 0;
  }
  taken += ID_BYTES;
  return pool.toString('hex', taken - ID_BYTES, taken);
}
