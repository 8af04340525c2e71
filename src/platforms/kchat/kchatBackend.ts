/** kChat = the Mattermost adapter + this backend: the people, their roles and their rights belong to the
 * Infomaniak organization. Organization roles become Infomaniak invitations (Infomaniak's email, or silent with the
 * acceptance link given to the inviter), with kSuite / kChat / kDrive rights set by follow-up jobs; external
 * people become kChat guests (kChat's own email), plus a kDrive invitation when a right was chosen. Arrivals are
 * polled (kChat has no /api/v4/websocket), and a revoke cancels the Infomaniak invitation. */

import type { NewJob } from '../../actions/jobs.js';
import { JOB, jobFor, jobKind } from '../../actions/jobs.js';
import { recordBackendStep } from '../../actions/recordBackendStep.js';
import { mattermostMarkdown } from '../../core/format.js';
import type { Invitation } from '../../core/model.js';
import { writer } from '../../core/writer.js';
import { PermanentError, RetryLaterError } from '../../outbox/errors.js';
import type { MattermostBackend } from '../mattermost/backend.js';
import type { MattermostBackendFactory } from '../mattermost/context.js';
import { PLATFORM } from '../mattermost/context.js';
import { InfomaniakAccess } from './access.js';
import { kchatCapabilities } from './capabilities.js';
import { chatCall, ikInvitationId, invitationLocale, type KchatContext, type KchatSettings } from './context.js';
import { EXTERNAL_OFFERS, resendExternal, withdrawExternal } from './externals.js';
import { InfomaniakApi, ROLE_TYPE } from './infomaniakApi.js';
import { OrganizationLevels } from './inviterLevel.js';
import { KchatGuests } from './kchatGuests.js';
import { KsuiteDrive } from './ksuiteDrive.js';
import { splitName } from './names.js';
import { linkNotice, notCancellableNotice, qrNotice, rightNotice } from './notices.js';
import { PacedBudget } from './pacedBudget.js';
import { parseQrCode, postQrImage } from './qrCode.js';
import { rightJobHandler } from './rightJobs.js';
import { firstSteps, isRightStep, rightJob } from './rightSteps.js';
import { InvitationStatusPoll } from './statusPoll.js';

export function kchatBackend(settings: KchatSettings): MattermostBackendFactory {
  return (mm) => {
    const log = mm.log.child({ backend: 'kchat' });
    const ik = new InfomaniakApi({
      baseUrl: settings.apiUrl,
      token: settings.token,
      accountId: settings.accountId,
      budget: new PacedBudget(mm.store, mm.clock),
    });
    const ctx: KchatContext = {
      ik,
      chat: mm.api,
      store: mm.store,
      clock: mm.clock,
      log,
      outbox: mm.outbox,
      locales: mm.locales,
      kdriveId: settings.kdriveId,
      ksuiteDrive: settings.kdriveId ? new KsuiteDrive(ik, settings.kdriveId) : undefined,
    };
    const guests = new KchatGuests(mm.api);
    const access = new InfomaniakAccess(ik, log);
    const levels = new OrganizationLevels(ik, mm.clock, log);
    const poll = new InvitationStatusPoll(ctx);

    /** Creates the Infomaniak invitation once: its id is stored before anything else may fail. An attempt is
     * marked before it is made, so that after a crash or a lost answer the next one looks for the invitation
     * first (the users list holds pending invitations by address) instead of creating a second one. */
    async function createOrganizationInvitation(inv: Invitation): Promise<void> {
      if (inv.role === 'external' || ikInvitationId(inv)) return;
      if (!access.ready())
        throw new RetryLaterError(
          'the Infomaniak organization API is not usable yet (see the start-up log)',
          5 * 60_000,
        );
      const silent = inv.delivery === 'link';
      let found: { id: string; status: string; expiredAt: string | null; adopted: boolean } | undefined;
      if (inv.external?.infomaniakCreating) {
        const rows = await ik.accountRowsFor(inv.email);
        const pending = rows.find((r) => r.state === 'pending' && r.invitationId);
        if (pending) found = { id: pending.invitationId!, status: 'pending', expiredAt: null, adopted: true };
        else if (rows.some((r) => r.state === 'valid' && r.userId))
          throw new PermanentError('this address already belongs to a member of the organization');
      } else {
        const attempt = mm.clock.now().toISOString();
        await recordBackendStep(ctx, inv, { external: { ...inv.external, infomaniakCreating: attempt } });
      }
      if (!found) {
        const { firstName, lastName } = splitName(inv.name, inv.email);
        const created = await ik.createInvitation({
          email: inv.email,
          firstName,
          lastName,
          locale: await invitationLocale(ctx, inv),
          roleType: ROLE_TYPE[inv.role],
          silent,
          billing: inv.billingRights,
          billingNotifications: inv.billingReminders.email || inv.billingReminders.sms,
        });
        found = { ...created, adopted: false };
      }
      const { infomaniakCreating: _attempt, ...rest } = inv.external ?? {};
      const expiry: Record<string, string> = found.expiredAt ? { infomaniakExpiresAt: found.expiredAt } : {};
      const saved = await recordBackendStep(ctx, inv, {
        external: { ...rest, infomaniakInvitationId: found.id, infomaniakStatus: found.status, ...expiry },
        audit: {
          action: 'infomaniak_invitation_created',
          detail: { infomaniakInvitationId: found.id, silent, ...(found.adopted ? { found: true } : {}) },
        },
      });
      // Revoked while Infomaniak was answering: do not leave a live invitation behind.
      if (saved?.state === 'revoked') await ik.cancelInvitation(found.id);
    }

    /** The inviter's words, in kChat's markdown. */
    const toInviter = (inv: Invitation) => writer(mattermostMarkdown, ctx.locales.for(inv.inviter.locale));

    /** The acceptance link and its QR code, read from Infomaniak each time (never stored). An image QR code is
     * posted to the inviter on its own, just before the link's notice. */
    async function linkText(inv: Invitation, f = toInviter(inv)): Promise<string | undefined> {
      const id = ikInvitationId(inv);
      if (!id || !['sent', 'sending'].includes(inv.state)) return undefined;
      const { urlAccept, qrCode } = await ik.getInvitation(id);
      const text = linkNotice(f, inv, urlAccept);
      const qr = urlAccept ? parseQrCode(qrCode) : undefined;
      if (qr?.kind === 'url') return `${text}\n\n${qrNotice(f, inv)}\n![QR code](${qr.url})`;
      if (qr?.kind === 'image') await chatCall(() => postQrImage(mm.api, inv.inviter.id, qr, qrNotice(f, inv)));
      return text;
    }

    const backend: MattermostBackend = {
      websocket: false,
      managesMembership: true,
      capabilities: () => kchatCapabilities({ organization: access.ready(), kdrive: !!settings.kdriveId }),
      refineLevel: (user, level) => levels.refine(user, level),

      async deliver(inv, tools): Promise<NewJob[]> {
        if (inv.role === 'external') await tools.sendInviteEmail(inv);
        else await createOrganizationInvitation(inv);
        return [
          ...firstSteps(inv, settings.kdriveId).map((step) => rightJob(inv, step)),
          ...(inv.role !== 'external' && inv.delivery === 'link'
            ? [jobFor(inv, JOB.notifyInviter, { about: 'link' }, 'link')]
            : []),
        ];
      },

      offers: (inv) => (inv.role === 'external' ? EXTERNAL_OFFERS : { resend: ['link'], showLink: true }),

      async resend(inv, method, tools) {
        if (inv.role === 'external' && method === 'platform_email') return void (await resendExternal(ctx, inv, tools));
        // Infomaniak has no route that sends an organization invitation again: the inviter gets its link again.
        if (inv.role !== 'external' && method === 'link') return linkText(inv);
        throw new PermanentError(`a resend by ${method} is not offered for this invitation on kChat`);
      },

      async withdraw(inv) {
        if (inv.role === 'external') return withdrawExternal(ctx, guests, inv);
        const id = ikInvitationId(inv);
        if (!id) return;
        const { outcome } = await ik.cancelInvitation(id);
        const status = outcome === 'not_cancellable' ? (inv.external?.infomaniakStatus ?? 'pending') : 'cancelled';
        // Settled, not retried: the invitee most likely accepted already, which only a person can undo.
        const notice =
          outcome === 'not_cancellable'
            ? [jobFor(inv, JOB.notifyInviter, { about: 'not-cancellable' }, 'not-cancellable')]
            : [];
        await recordBackendStep(ctx, inv, {
          external: { ...inv.external, infomaniakStatus: status },
          audit: { action: 'infomaniak_invitation_cancelled', detail: { outcome } },
          jobs: notice,
        });
      },

      async noticeText(inv, notice, f) {
        if (notice.about === 'link') return linkText(inv, f);
        if (notice.about === 'not-cancellable') return notCancellableNotice(f, inv);
        if (notice.about !== 'rights') return undefined;
        if (!isRightStep(notice.step)) throw new PermanentError(`unknown right step ${notice.step}`);
        return rightNotice(f, inv, notice.step, notice.progress, notice.error);
      },

      jobHandlers: { [jobKind(PLATFORM, JOB.grantRight)]: rightJobHandler(ctx) },
      start: () => access.start(),
      stop: () => access.stop(),
      ready: () => access.ready(),
      pollArrivals: () => poll.run(),
    };
    return backend;
  };
}
