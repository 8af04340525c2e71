/** The core's rules as each platform's users meet them, in one table that every platform's scenario test runs
 * through its own adapter (test/platforms/<platform>/scenarios.test.ts): a rule cannot drift between them. Each
 * platform's harness offers a guest, a member and an admin, external guests (Mattermost with guest accounts,
 * Slack on Enterprise Grid), and neither offers the legal representative role. */
import type { Role } from '../../src/core/model.js';

export type ScenarioInviter = 'guest' | 'member' | 'admin';
export type ScenarioOutcome = 'refused' | 'approval' | 'immediate';

export interface ScenarioCase {
  inviter: ScenarioInviter;
  role: Role;
  outcome: ScenarioOutcome;
  /** What the inviter is told, for a refusal. */
  reason?: RegExp;
}

/** What a platform's run of a case observed. */
export interface ScenarioResult {
  outcome: ScenarioOutcome;
  reason?: string;
}

const NOT_OFFERED = /Choose one of the roles offered/;

export const SCENARIO_CASES: readonly ScenarioCase[] = [
  { inviter: 'guest', role: 'collaborator', outcome: 'refused', reason: /Guests .*cannot invite anyone/ },
  { inviter: 'member', role: 'collaborator', outcome: 'approval' },
  { inviter: 'member', role: 'external', outcome: 'approval' },
  { inviter: 'admin', role: 'collaborator', outcome: 'immediate' },
  { inviter: 'admin', role: 'external', outcome: 'immediate' },
  { inviter: 'member', role: 'admin', outcome: 'refused', reason: NOT_OFFERED },
  { inviter: 'member', role: 'legal_representative', outcome: 'refused', reason: NOT_OFFERED },
  { inviter: 'admin', role: 'legal_representative', outcome: 'refused', reason: NOT_OFFERED },
];

export function caseName(c: ScenarioCase): string {
  return `${c.inviter} inviting as ${c.role}: ${c.outcome}`;
}
