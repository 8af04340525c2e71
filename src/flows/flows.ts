/** Every flow over one platform's port, built the same way for each adapter, and the outbox's job handlers for that
 * platform registered. */

import type { Person } from '../core/model.js';
import type { InviteLimits } from '../core/policy.js';
import type { Signer } from '../security/signing.js';
import { ApprovalFlow } from './approvals.js';
import { ArrivalFlow } from './arrivals.js';
import { BulkFlow } from './bulk.js';
import type { ChatPort } from './chatPort.js';
import { CommandFlow, type CommandOptions } from './commands.js';
import { sponsorGone } from './guests.js';
import { type FlowDeps, jobHandlers } from './jobHandlers.js';
import { PendingListFlow } from './pendingList.js';
import { ReplyFlow } from './replies.js';
import { StoryFlow } from './story.js';
import { WizardFlow } from './wizard.js';

export interface Flows {
  approvals: ApprovalFlow;
  list: PendingListFlow;
  wizard: WizardFlow;
  bulk: BulkFlow;
  arrivals: ArrivalFlow;
  commands: CommandFlow;
  /** Direct messages to the bot: a newcomer's are passed on to their sponsor. */
  replies: ReplyFlow;
  /** A sponsor left or was deactivated: their guests are offered to the admins (how many). */
  sponsorLeft(workspaceId: string, sponsor: Person): Promise<number>;
}

export function createFlows(
  deps: FlowDeps & { signer: Signer },
  port: ChatPort,
  opts: CommandOptions & { invitesPerHour: InviteLimits },
): Flows {
  const approvals = new ApprovalFlow(deps, port);
  const list = new PendingListFlow({ ...deps, trigger: opts.trigger }, port, approvals);
  const wizard = new WizardFlow({ ...deps, invitesPerHour: opts.invitesPerHour }, port);
  for (const [kind, handler] of Object.entries(jobHandlers(deps, port))) deps.outbox.register(kind, handler);
  const arrivals = new ArrivalFlow(deps, port);
  const replies = new ReplyFlow(deps, port);
  for (const [kind, handler] of Object.entries(replies.jobHandlers())) deps.outbox.register(kind, handler);
  const story = new StoryFlow({ ...deps, trigger: opts.trigger }, port);
  const sponsorLeft = (workspaceId: string, sponsor: Person) => sponsorGone(deps, port, workspaceId, sponsor);
  const bulk = new BulkFlow({ ...deps, invitesPerHour: opts.invitesPerHour }, port, wizard);
  const commands = new CommandFlow(opts, wizard, list, story);
  return { approvals, list, wizard, bulk, arrivals, commands, replies, sponsorLeft };
}
