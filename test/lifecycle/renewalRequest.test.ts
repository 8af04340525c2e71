import { describe, expect, it } from 'vitest';
import { renewalRequestNotice } from '../../src/core/messages.js';
import { renewalRequestJob } from '../../src/lifecycle/renewalRequest.js';
import { anInvitation } from '../support/invitationFixture.js';
import { md } from '../support/words.js';

describe('renewal requests', () => {
  it('are one notify-inviter job per invitation', () => {
    const inv = anInvitation({ id: 'inv1' });
    expect(renewalRequestJob(inv)).toEqual({
      kind: 'mattermost.notify-inviter',
      invitationId: 'inv1',
      dedupeKey: 'notify-inviter:inv1:renewal-request',
      payload: { about: 'renewal-request' },
    });
  });

  it('tell the inviter who asks and why the link is dead, with the names escaped', () => {
    const text = (over: Parameters<typeof anInvitation>[0]) => renewalRequestNotice(md, anInvitation(over));
    expect(text({ state: 'expired', name: 'Ana', email: 'ana@example.com' })).toMatch(
      /^Ana \(ana@example\.com\) opened their invitation link, which has expired, and asks you for a new invitation\./,
    );
    expect(text({ state: 'sent' })).toContain('which has expired');
    expect(text({ state: 'revoked' })).toContain('which was revoked');
    expect(text({ state: 'arrived' })).toContain('which was already used');
    expect(text({ state: 'expired', name: '@all [x](http://evil)' })).not.toMatch(/@all|\]\(http:\/\//);
  });
});
