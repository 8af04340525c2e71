/** Acceptance-link tokens. The raw token exists only in the link handed to the invitee: the invitation stores its
 * SHA-256, so a leaked data file or backup opens nothing. A link is single use because accepting it moves the
 * invitation to `arrived` with the store's compare-and-set (recordArrival), after which the link only shows the
 * "already accepted" page; issuing a new link (actions/issueLinkToken.ts) replaces the hash, which kills the
 * previous one. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Invitation } from '../core/model.js';
import type { Store } from '../store/store.js';

/** 256 bits (the floor is 128). */
export const LINK_TOKEN_BYTES = 32;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const HASH_SHAPE = /^[0-9a-f]{64}$/;

export function hashLinkToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newLinkToken(): { token: string; hash: string } {
  const token = randomBytes(LINK_TOKEN_BYTES).toString('base64url');
  return { token, hash: hashLinkToken(token) };
}

export function isWellFormedLinkToken(token: unknown): token is string {
  return typeof token === 'string' && TOKEN_SHAPE.test(token);
}

/** The acceptance page's address for a token (`publicUrl` without a trailing slash). */
export function acceptanceUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/join/${token}`;
}

/** The invitation a link token belongs to. The store finds it by hash (an index lookup: timing there reveals
 * nothing about a token, only about its hash); the match is then confirmed in constant time. */
export async function findInvitationByLinkToken(store: Store, token: unknown): Promise<Invitation | undefined> {
  if (!isWellFormedLinkToken(token)) return undefined;
  const hash = hashLinkToken(token);
  const [inv] = await store.listInvitations({ linkTokenHash: hash, limit: 1 });
  if (!inv?.linkTokenHash || !HASH_SHAPE.test(inv.linkTokenHash)) return undefined;
  return timingSafeEqual(Buffer.from(inv.linkTokenHash, 'hex'), Buffer.from(hash, 'hex')) ? inv : undefined;
}

/** What a link to this invitation can do now. `expired` also covers an invitation past its expiry that the
 * expiry job has not moved yet. `pending` (waiting for approval) and `denied` links should not exist. */
export type LinkStatus = 'usable' | 'used' | 'expired' | 'revoked' | 'unavailable';

export function linkStatus(inv: Invitation, now: Date): LinkStatus {
  switch (inv.state) {
    case 'arrived':
      return 'used';
    case 'revoked':
      return 'revoked';
    case 'expired':
      return 'expired';
    case 'sending':
    case 'sent':
    case 'failed':
      return inv.expiresAt && Date.parse(inv.expiresAt) <= now.getTime() ? 'expired' : 'usable';
    default:
      return 'unavailable';
  }
}
