/** Time and ids come from here so that jobs, expiry and tests can use a controllable clock. */
import { randomBytes } from 'node:crypto';

export interface Clock { now(): Date }
export const systemClock: Clock = { now: () => new Date() };

/** 128 random bits as hex: unguessable, and safe in URLs and in Mattermost button ids ([A-Za-z0-9]+). */
export function newId(): string {
  return randomBytes(16).toString('hex');
}
