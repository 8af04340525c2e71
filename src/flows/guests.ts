/** A guest's sponsor and end, once for every platform: the buttons of the sponsor's reminder, of the admins'
 * adoption request and of the list's "guests ending soon" (Extend 30 days, Extend 90 days, Remove now, Adopt), and
 * a sponsor who left. The button's signature (or the platform's) vouches for the invitation and the action; the
 * clicker's rights are read now through the port, and each change is an action. */
import { adoptGuest, endAccess, extendAccess, recordSponsorLeft } from '../actions/guestAccess.js';
import {
  accessEnding,
  accessExtended,
  endingSoonEntry,
  endingSoonHeading,
  guestAdopted,
  guestButtons,
} from '../core/messages.js';
import { type Invitation, type Person, sponsorOf } from '../core/model.js';
import type { Writer } from '../core/writer.js';
import type { ChatPort } from './chatPort.js';
import type { FlowDeps } from './jobHandlers.js';

export const GUEST_ACTIONS = ['extend30', 'extend90', 'endaccess', 'adopt'] as const;
export type GuestAction = (typeof GUEST_ACTIONS)[number];
export const isGuestAction = (a: string): a is GuestAction => (GUEST_ACTIONS as readonly string[]).includes(a);

/** The list shows guests whose access ends within this many days. */
export const ENDING_SOON_DAYS = 14;

export async function guestClick(
  deps: FlowDeps,
  port: ChatPort,
  f: Writer,
  inv: Invitation,
  c: { action: GuestAction; user: Person },
): Promise<string> {
  const input = { invitationId: inv.id, by: c.user, byLevel: await port.level(inv.workspaceId, c.user.id) };
  const result =
    c.action === 'adopt'
      ? await adoptGuest(deps, input)
      : c.action === 'endaccess'
        ? await endAccess(deps, inv, input)
        : await extendAccess(deps, {
            ...input,
            days: c.action === 'extend30' ? 30 : 90,
            maxDays: deps.guests?.maxDays,
          });
  if (!result.ok) return result.reason(f);
  deps.outbox.kick();
  if (c.action === 'adopt') return guestAdopted(f, result.invitation);
  return c.action === 'endaccess' ? accessEnding(f, result.invitation) : accessExtended(f, result.invitation);
}

/** The sponsor left the team or was deactivated: the admins are asked to adopt each guest whose access runs. */
export async function sponsorGone(deps: FlowDeps, port: ChatPort, workspaceId: string, sponsor: Person) {
  const guests = await deps.store.listInvitations({
    platform: port.platform,
    workspaceId: workspaceId || undefined,
    sponsorId: sponsor.id,
    states: ['arrived'],
  });
  let asked = 0;
  // The sponsor as the invitation knows them (the event may not name them).
  for (const inv of guests) if (await recordSponsorLeft(deps, inv, sponsorOf(inv))) asked++;
  if (asked) deps.outbox.kick();
  return asked;
}

/** The list's "guests ending soon": admins see every guest of the workspace, others their own. */
export async function endingSoon(
  deps: FlowDeps,
  port: ChatPort,
  f: Writer,
  workspaceId: string,
  userId: string,
  admin: boolean,
) {
  const now = deps.clock.now().getTime();
  const guests = await deps.store.listInvitations({
    platform: port.platform,
    workspaceId,
    states: ['arrived'],
    sponsorId: admin ? undefined : userId,
    accessEndsBefore: new Date(now + ENDING_SOON_DAYS * 86400_000).toISOString(),
  });
  const sorted = guests.sort((a, b) => Date.parse(a.accessEndsAt!) - Date.parse(b.accessEndsAt!));
  return sorted.map((inv, n) => ({
    invitationId: inv.id,
    text: `${n === 0 ? `${endingSoonHeading(f)}\n` : ''}${endingSoonEntry(f, inv)}`,
    // guestButtons names only guest actions.
    buttons: guestButtons(f).map((b) => ({ ...b, action: b.action as GuestAction })),
  }));
}
