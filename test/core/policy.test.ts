import { describe, expect, it } from 'vitest';
import type { Role } from '../../src/core/model.js';
import {
  type Capabilities,
  decide,
  fourEyes,
  grantableRoles,
  type InviterLevel,
  withinRateLimit,
} from '../../src/core/policy.js';
import { en } from '../support/words.js';

const everything: Capabilities = {
  roles: ['external', 'collaborator', 'admin', 'legal_representative'],
  missingRoleReasons: {},
  kdrive: true,
  billing: true,
  deliveries: ['platform_email', 'link'],
};

type Outcome = 'refused' | 'approval' | 'immediate';
// One row per (inviter, role): the whole rule set at a glance.
const TABLE: [InviterLevel, Role, Outcome][] = [
  ['guest', 'external', 'refused'],
  ['guest', 'collaborator', 'refused'],
  ['guest', 'admin', 'refused'],
  ['guest', 'legal_representative', 'refused'],
  ['member', 'external', 'approval'],
  ['member', 'collaborator', 'approval'],
  ['member', 'admin', 'refused'],
  ['member', 'legal_representative', 'refused'],
  ['admin', 'external', 'immediate'],
  ['admin', 'collaborator', 'immediate'],
  ['admin', 'admin', 'immediate'],
  ['admin', 'legal_representative', 'refused'],
  ['owner', 'external', 'immediate'],
  ['owner', 'collaborator', 'immediate'],
  ['owner', 'admin', 'immediate'],
  ['owner', 'legal_representative', 'immediate'],
];

describe('who may invite whom', () => {
  it.each(TABLE)('%s inviting a %s: %s', (level, role, outcome) => {
    const verdict = decide(level, role, everything);
    const got: Outcome = !verdict.ok ? 'refused' : verdict.needsApproval ? 'approval' : 'immediate';
    expect(got).toBe(outcome);
  });

  it('refuses a role the platform cannot apply, even to an owner', () => {
    const mattermost: Capabilities = { ...everything, roles: ['external', 'collaborator', 'admin'] };
    const verdict = decide('owner', 'legal_representative', mattermost);
    expect(verdict.ok).toBe(false);
  });

  it('offers only grantable roles and says why the others are missing', () => {
    const caps: Capabilities = {
      ...everything,
      roles: ['external', 'collaborator', 'admin'],
      missingRoleReasons: { legal_representative: () => 'Mattermost has no legal representative role' },
    };
    const { roles, hidden } = grantableRoles('member', caps);
    expect(roles).toEqual(['external', 'collaborator']);
    expect(hidden.map((h) => ({ role: h.role, reason: h.reason(en) }))).toEqual([
      { role: 'admin', reason: 'it is above your own role' },
      { role: 'legal_representative', reason: 'Mattermost has no legal representative role' },
    ]);
  });
});

describe('four eyes', () => {
  it('refuses self-approval while another approver exists', () => {
    expect(fourEyes('u1', 'u1', true).ok).toBe(false);
  });
  it('allows self-approval when the inviter is the only approver', () => {
    expect(fourEyes('u1', 'u1', false).ok).toBe(true);
  });
  it('allows another approver', () => {
    expect(fourEyes('u2', 'u1', true).ok).toBe(true);
  });
});

describe('rate limit', () => {
  it('allows up to the hourly limit and refuses beyond with what is left', () => {
    expect(withinRateLimit(19, 1, { perHour: 20 }).ok).toBe(true);
    const refused = withinRateLimit(18, 3, { perHour: 20 });
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.reason(en)).toMatch(/20 invitations an hour and have 2 left/);
  });
});
