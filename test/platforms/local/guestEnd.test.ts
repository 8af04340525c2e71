/** The playground's end of a guest's access: out of its team (every channel and its people), once, durably. */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { localPort } from '../../../src/platforms/local/port.js';
import { LocalChat } from '../../../src/platforms/local/state.js';
import { anInvitation } from '../../support/invitationFixture.js';

describe('the playground ends a guest’s access', () => {
  it('removes them from its team, and a second call changes nothing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'guestlist-local-'));
    const chat = await LocalChat.open(dir);
    const port = localPort(chat);
    const inv = anInvitation({ platform: 'local', channelIds: ['town-square'], state: 'ended' });
    expect(await port.endGuestAccess(inv, 'eli')).toBe('done');
    expect(await port.endGuestAccess(inv, 'eli')).toBe('done');
    expect(chat.person('eli')).toBeUndefined();
    expect(chat.channel('town-square')!.members).not.toContain('eli');
    const reopened = await LocalChat.open(dir);
    expect(reopened.person('eli')).toBeUndefined();
    expect(reopened.person('maya')).toBeDefined();
  });
});
