/** Slack mrkdwn: user-supplied text never becomes a mention, a broadcast, a link or markup. */
import { describe, expect, it } from 'vitest';
import { slackMrkdwn as f } from '../../src/core/format.js';

describe('slackMrkdwn', () => {
  it('escapes Slack control characters, so no <!channel>, <@U…> or <url|label> can be written', () => {
    expect(f.escape('<!channel> <@U123> <http://evil.example|click> a & b')).toBe(
      '&lt;!channel&gt; &lt;@\u200DU123&gt; &lt;http:\u200D//evil.example|click&gt; a &amp; b',
    );
  });

  it('defuses bare mentions and links but leaves addresses as typed', () => {
    const out = f.escape('@here see www.evil.example or https://x.example, mail ana@example.org');
    expect(out).not.toMatch(/(^|\s)@here|www\.|https:\/\//);
    expect(out).toContain('ana@example.org');
  });

  it('keeps text on one line', () => {
    expect(f.escape('a\nb\r\n\tc')).toBe('a b c');
  });

  it('mentions by user id only; a name is shown, never resolved', () => {
    expect(f.mention({ id: 'U0ALICE', username: 'alice' })).toBe('<@U0ALICE>');
    expect(f.mention({ id: 'not-an-id', username: '<!here>' })).toBe('&lt;!here&gt;');
  });
});
