/** What the store benchmark (bench/store.ts) seeds and times, without the app or PostgreSQL: bench/storeLowdb.ts runs
 * one lowdb size in a process of its own on it, so that its resident memory is the store's and not the bench's. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { newId } from '../src/core/clock.js';
import type { AuditEntry, Invitation } from '../src/core/model.js';
import { TRANSITIONS } from '../src/core/stateMachine.js';
import { LowdbStore } from '../src/store/lowdbStore.js';
import type { Store } from '../src/store/store.js';
import { anInvitation } from '../test/support/invitationFixture.js';
import { fmt, now, type Summary, summarize } from './stats.js';

export const SAMPLES = 300;
/** Discarded writes before the first size is measured (JIT, connection pool, plan cache). */
export const WARMUP_SAMPLES = 30;
/** Seeded invitations were created over the last 29 days: inside LowdbStore's 30-day archive cutoff, so all of
 * them stay in the hot file, the one rewritten on every change (the case the figures are about). */
const NOW = Date.now();
const SPAN_MS = 29 * 86400_000;

/** A realistic stored invitation: distinct email, inviter among 200, spread over the past, 80% finished
 * (arrived or expired, the rest waiting in `sent`). */
export function seedInvitation(i: number, size: number, olderByMs = 0): Invitation {
  const created = NOW - olderByMs - ((size - i) * SPAN_MS) / size;
  const at = new Date(created).toISOString();
  const finished = i % 5 !== 0;
  return anInvitation({
    id: seedId(i),
    email: `guest${i}@example.org`,
    name: `Guest ${i}`,
    role: i % 3 ? 'collaborator' : 'external',
    channelIds: ['chan0000000000000000000001'],
    delivery: 'platform_email',
    inviter: { id: `inviter${i % 200}`, username: `user${i % 200}` },
    state: finished ? (i % 4 ? 'arrived' : 'expired') : 'sent',
    createdAt: at,
    updatedAt: at,
    expiresAt: new Date(created + 7 * 86400_000).toISOString(),
    ...(finished && i % 4 ? { arrivedUserId: `user${i}`, arrivedAt: at } : {}),
  });
}

/** Two audit entries per invitation (created, delivered): the least any delivered invitation has. */
export function seedAudit(inv: Invitation): AuditEntry[] {
  return [
    {
      at: inv.createdAt,
      invitationId: inv.id,
      actor: inv.inviter.id,
      action: 'created',
      detail: { state: 'sending', role: inv.role },
    },
    { at: inv.createdAt, invitationId: inv.id, actor: 'bot', action: 'delivered', detail: { via: inv.delivery } },
  ];
}

export type Op = 'transition' | 'patchInvitation' | 'createInvitations';
const OPS: Op[] = ['transition', 'patchInvitation', 'createInvitations'];

/** `samples` writes, the three kinds in turn; the invitations they touch are fresh ones in state `sent`. */
export async function measureWrites(
  store: Store,
  targets: string[],
  samples: number,
): Promise<{ all: Summary; byOp: Record<Op, Summary> }> {
  const times: Record<Op, number[]> = { transition: [], patchInvitation: [], createInvitations: [] };
  const all: number[] = [];
  let t = 0;
  for (let i = 0; i < samples; i++) {
    const op = OPS[i % OPS.length]!;
    const id = targets[t++ % targets.length]!;
    const at = new Date().toISOString();
    const start = now();
    if (op === 'transition') {
      const done = await store.transition(id, {
        ...TRANSITIONS.expire,
        audit: { at, invitationId: id, actor: 'bot', action: 'expired' },
        jobs: [
          {
            kind: 'mattermost.notify-inviter',
            invitationId: id,
            dedupeKey: `bench-expired:${id}:${i}`,
            payload: { about: 'expired' },
          },
        ],
      });
      if (!done) throw new Error(`transition of ${id} did nothing`);
    } else if (op === 'patchInvitation') {
      const done = await store.patchInvitation(
        id,
        { approvalPosts: [{ channelId: 'chan0000000000000000000001', postId: newId() }] },
        { at, invitationId: id, actor: 'bot', action: 'link_requested' },
      );
      if (!done) throw new Error(`patch of ${id} did nothing`);
    } else {
      const inv = anInvitation({
        email: `new${i}-${newId()}@example.org`,
        state: 'sending',
        delivery: 'platform_email',
        createdAt: at,
        updatedAt: at,
      });
      await store.createInvitations(
        [inv],
        [{ at, invitationId: inv.id, actor: 'inviter1', action: 'created' }],
        [{ kind: 'mattermost.deliver', invitationId: inv.id, dedupeKey: `deliver:${inv.id}`, payload: {} }],
      );
    }
    const ms = now() - start;
    times[op].push(ms);
    all.push(ms);
  }
  return {
    all: summarize(all),
    byOp: {
      transition: summarize(times.transition),
      patchInvitation: summarize(times.patchInvitation),
      createInvitations: summarize(times.createInvitations),
    },
  };
}

/** Ids of seeded invitations in state `sent` (every fifth seed is), newest first, skipping `skip` of them. */
export function sentTargets(size: number, count: number, skip = 0): string[] {
  const ids: string[] = [];
  for (let i = size - 1; i >= 0 && ids.length < count + skip; i--) if (i % 5 === 0) ids.push(seedId(i));
  return ids.slice(skip);
}

export const seedId = (i: number) => `seed${i.toString(36).padStart(8, '0')}`;

export interface Row {
  store: string;
  size: number;
  all: Summary;
  byOp: Record<Op, Summary>;
  extra: string;
}

export interface LowdbSize {
  row: Row;
  mib: number;
  openMs: number;
  /** Reading and JSON.parse of the snapshot and the audit log, whole and without validation: what this machine
   * takes right now for the least an open must do. */
  parseMs: number;
  /** This process's resident memory with the store open (Node, the store's modules and its records)… */
  rssMiB: number;
  /** …and before it was opened: what the records cost is the difference. */
  rssBeforeMiB: number;
  heapMiB: number;
}

/** One size on files seeded in `dir` (bench/storeLowdb.ts runs it in a process of its own that loads nothing but the
 * store, so that the resident memory is the store's): opens the store, measures its writes. */
export async function lowdbSize(size: number, dir: string, mib: number): Promise<LowdbSize> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const rssBeforeMiB = process.memoryUsage().rss / 2 ** 20;
  const t = now();
  const store = await LowdbStore.open(dir);
  const openMs = now() - t;
  gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  const [rssMiB, heapMiB] = [rss / 2 ** 20, heapUsed / 2 ** 20];
  await measureWrites(store, sentTargets(size, WARMUP_SAMPLES), WARMUP_SAMPLES);
  const { all, byOp } = await measureWrites(store, sentTargets(size, SAMPLES, WARMUP_SAMPLES), SAMPLES);
  await store.close();
  const p = now();
  JSON.parse(await readFile(path.join(dir, 'guestlist.json'), 'utf8'));
  for (const line of (await readFile(path.join(dir, 'guestlist-audit.jsonl'), 'utf8')).split('\n'))
    if (line) JSON.parse(line);
  const parseMs = now() - p;
  const extra =
    `file ${mib.toFixed(1)} MiB, open ${fmt(openMs, 0)} ms (bare parse ${fmt(parseMs, 0)} ms), ` +
    `RSS ${fmt(rssMiB, 0)} MiB (${fmt(rssBeforeMiB, 0)} before open)`;
  return { row: { store: 'lowdb', size, all, byOp, extra }, mib, openMs, parseMs, rssMiB, rssBeforeMiB, heapMiB };
}
