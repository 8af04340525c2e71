import { describe, expect, it } from 'vitest';
import { mattermostMarkdown as md } from '../../src/core/format.js';
import { arrivalAnnouncement } from '../../src/core/messages.js';
import type { Invitation } from '../../src/core/model.js';
import { writer } from '../../src/core/writer.js';
import { en } from '../support/words.js';

const ZWJ = '\u200D';

describe('escaping user-supplied text for Mattermost', () => {
  it('keeps @all, @channel and @here from notifying anyone', () => {
    for (const name of ['@all', '@channel', '@here', 'hi @all!']) {
      expect(md.escape(name)).not.toMatch(/@(all|channel|here)/);
      expect(md.escape(name)).toContain(`@${ZWJ}`);
    }
  });

  it('leaves email addresses readable and copyable', () => {
    expect(md.escape('ana@example.org')).toBe('ana@example.org');
  });

  it('turns markdown links and bare URLs into plain text', () => {
    const escaped = md.escape('[x](http://evil.example)');
    expect(escaped).not.toMatch(/\[x\]\(/);
    expect(escaped).not.toContain('http://');
    expect(md.escape('www.evil.example')).not.toContain('www.');
  });

  it('folds new lines so a name cannot start a new markdown block', () => {
    expect(md.escape('Ana\n# Heading')).not.toContain('\n');
  });

  it('mentions real usernames but never a broadcast name', () => {
    expect(md.mention({ id: '1', username: 'ana.lopez' })).toBe('@ana.lopez');
    expect(md.mention({ id: '1', username: 'all' })).not.toBe('@all');
  });

  it('shows a hostile display name as text in the arrival announcement', () => {
    const inv = { role: 'external', inviter: { id: 'i', username: 'ben' } } as Invitation;
    const newcomer = { id: 'u', username: 'ana', displayName: '@all [x](http://evil)' };
    const text = arrivalAnnouncement(writer(md, en), inv, newcomer);
    expect(text).not.toMatch(/@all|\]\(http/);
    expect(text).toContain('@ana');
    expect(text).toContain('@ben');
  });
});
