/** The flows over an adapter's port and the bot's own pages for its platform, built the same way for every adapter:
 * the bulk page (`/<platform>/bulk`) and, where the chat may refuse forms, the wizard's page (`/<platform>/form`). */
import express, { type Router } from 'express';
import type { Platform } from '../core/model.js';
import type { InviteLimits } from '../core/policy.js';
import type { ChatPort } from '../flows/chatPort.js';
import { createFlows, type Flows } from '../flows/flows.js';
import { bulkPageRouter } from '../web/bulkPage.js';
import { type WizardPageDeps, wizardPageOffer, wizardPageRouter } from '../web/wizardPage.js';
import type { PlatformDeps } from './deps.js';

export interface AdapterFlowOptions {
  platform: Platform;
  settings: { trigger: string; invitesPerHour: InviteLimits; publicUrl: string };
  /** The organization's name on the pages: the workspace's, where the platform tells it. */
  workspaceName(workspaceId: string): Promise<string | undefined>;
  /** The wizard's page, for chats that may refuse a form, and whom to tell when its invitations are made. */
  formPage?: Pick<WizardPageDeps, 'onDone'>;
}

export function adapterFlows(
  deps: PlatformDeps,
  port: ChatPort,
  opts: AdapterFlowOptions,
): { flows: Flows; pages: Router } {
  const { platform, settings, workspaceName } = opts;
  const flows = createFlows(deps, port, {
    trigger: settings.trigger,
    invitesPerHour: settings.invitesPerHour,
    // A bulk request goes to the bot's page: a dialog's or modal's field holds too few addresses.
    bulk: 'page',
    pageOffer: (offer) => wizardPageOffer({ ...deps, publicUrl: settings.publicUrl, platform }, offer),
  });
  const openDraftOf = (draftId: string, userId: string) => flows.wizard.openDraftOf(draftId, userId);
  const pages = express
    .Router()
    .use('/bulk', bulkPageRouter({ ...deps, bulk: flows.bulk, openDraftOf, workspaceName }));
  if (opts.formPage)
    pages.use('/form', wizardPageRouter({ ...deps, ...opts.formPage, wizard: flows.wizard, workspaceName }));
  return { flows, pages };
}
