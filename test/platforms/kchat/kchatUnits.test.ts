/** The kChat backend's small pure parts: names, capabilities, the paced budget, the organization level. */

import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { isPaced, retryAfterOf } from '../../../src/outbox/errors.js';
import { kchatCapabilities } from '../../../src/platforms/kchat/capabilities.js';
import { OrganizationLevels } from '../../../src/platforms/kchat/inviterLevel.js';
import { splitName } from '../../../src/platforms/kchat/names.js';
import { PacedBudget } from '../../../src/platforms/kchat/pacedBudget.js';
import { parseQrCode } from '../../../src/platforms/kchat/qrCode.js';
import { appRole, firstSteps, nextSteps } from '../../../src/platforms/kchat/rightSteps.js';
import { en } from '../../support/words.js';

const silent = pino({ level: 'silent' });

describe('names for Infomaniak', () => {
  it('splits a full name on its last word, and an address on dots', () => {
    expect(splitName('Ana Lopez', 'ana@x.org')).toEqual({ firstName: 'Ana', lastName: 'Lopez' });
    expect(splitName('Jean Paul Sartre', 'j@x.org')).toEqual({ firstName: 'Jean Paul', lastName: 'Sartre' });
    expect(splitName('ana.lopez', 'ana.lopez@x.org')).toEqual({ firstName: 'Ana', lastName: 'Lopez' });
    expect(splitName('', 'ben_ito@x.org')).toEqual({ firstName: 'Ben', lastName: 'Ito' });
    expect(splitName('Cher', 'cher@x.org')).toEqual({ firstName: 'Cher', lastName: 'Cher' });
  });
});

describe('what kChat offers', () => {
  it('offers organization roles only while the Infomaniak API works, and the link only to organization roles', () => {
    const up = kchatCapabilities({ organization: true, kdrive: true });
    expect(up).toMatchObject({
      roles: ['external', 'collaborator', 'admin', 'legal_representative'],
      kdrive: true,
      billing: true,
      deliveries: ['platform_email', 'link'],
      roleDeliveries: { external: ['platform_email'] },
    });
    const down = kchatCapabilities({ organization: false, kdrive: false });
    expect(down.roles).toEqual(['external']);
    expect(down.missingRoleReasons.admin?.(en)).toMatch(/Infomaniak/);
  });

  it('orders the rights: kSuite access (which sets the kChat role), then the drive, then the drive right', () => {
    const inv = { role: 'collaborator', kdriveRight: 'read' } as const;
    expect(firstSteps(inv as never, 9)).toEqual(['ksuite']);
    expect(nextSteps('ksuite', 9)).toEqual(['drive']);
    expect(nextSteps('ksuite', undefined)).toEqual([]);
    expect(nextSteps('drive', 9)).toEqual(['drive-right']);
    expect(firstSteps({ role: 'external', kdriveRight: 'none' } as never, 9)).toEqual([]);
    expect(firstSteps({ role: 'external', kdriveRight: 'write' } as never, 9)).toEqual(['drive-external']);
    expect(appRole('collaborator')).toBe('user');
    expect(appRole('admin')).toBe('admin');
    expect(appRole('legal_representative')).toBe('admin');
  });
});

describe('PacedBudget', () => {
  it('gives 60 calls a minute, then says when the next one frees up, without sleeping', async () => {
    const taken: number[] = [];
    const store = {
      async takeRateToken(_key: string, limit: number, windowMs: number, now: Date) {
        const recent = taken.filter((t) => t > now.getTime() - windowMs);
        if (recent.length >= limit) return { ok: false as const, retryAt: new Date(recent[0]! + windowMs) };
        taken.push(now.getTime());
        return { ok: true as const };
      },
    };
    let now = 1_000_000;
    const budget = new PacedBudget(store, { now: () => new Date(now) });
    for (let i = 0; i < 60; i++) {
      await budget.take();
      now += 500;
    }
    const err = await budget.take().catch((e: unknown) => e);
    expect(isPaced(err)).toBe(true);
    expect(retryAfterOf(err)).toBe(1_000_000 + 60_000 - now);
  });
});

describe('the inviter level from the organization', () => {
  const clock = { now: () => new Date() };

  it('maps owner, admin and normal, and keeps the chat level when the organization does not know', async () => {
    const roles: Record<string, string> = {
      'o@x.org': 'owner',
      'a@x.org': 'admin',
      'n@x.org': 'normal',
      'w@x.org': 'constructor',
    };
    const levels = new OrganizationLevels({ accountUserRole: async (email) => roles[email] }, clock, silent);
    expect(await levels.refine({ id: '1', email: 'O@x.org' }, 'admin')).toBe('owner');
    expect(await levels.refine({ id: '2', email: 'a@x.org' }, 'member')).toBe('admin');
    expect(await levels.refine({ id: '3', email: 'n@x.org' }, 'admin')).toBe('member');
    expect(await levels.refine({ id: '4', email: 'w@x.org' }, 'admin')).toBe('admin');
    expect(await levels.refine({ id: '5', email: 'nobody@x.org' }, 'member')).toBe('member');
    expect(await levels.refine({ id: '6', email: 'o@x.org' }, 'guest')).toBe('guest');
  });

  it('does not make the dialog wait for a slow or failing organization, and caches answers', async () => {
    let calls = 0;
    const slow = new OrganizationLevels(
      { accountUserRole: () => new Promise((r) => setTimeout(() => r('owner'), 2000)) },
      clock,
      silent,
    );
    const started = Date.now();
    expect(await slow.refine({ id: '1', email: 'o@x.org' }, 'admin')).toBe('admin');
    expect(Date.now() - started).toBeLessThan(1500);
    const failing = new OrganizationLevels(
      {
        accountUserRole: async () => {
          calls++;
          throw new Error('boom');
        },
      },
      clock,
      silent,
    );
    expect(await failing.refine({ id: '1', email: 'o@x.org' }, 'admin')).toBe('admin');
    const cached = new OrganizationLevels({ accountUserRole: async () => (calls++, 'owner') }, clock, silent);
    calls = 0;
    await cached.refine({ id: '1', email: 'o@x.org' }, 'admin');
    await cached.refine({ id: '1', email: 'o@x.org' }, 'admin');
    expect(calls).toBe(1);
  });
});

describe('the invitation’s QR code', () => {
  it('reads a base64 image data URL as an image, an https URL as a link, and nothing else', () => {
    expect(parseQrCode('data:image/png;base64,iVBORw0KGgo=')).toMatchObject({ kind: 'image', mime: 'image/png' });
    expect(parseQrCode('data:image/svg+xml;base64,PHN2Zy8+')).toMatchObject({ kind: 'image', mime: 'image/svg+xml' });
    expect(parseQrCode('https://api.infomaniak.com/qr/abc.png')).toEqual({
      kind: 'url',
      url: 'https://api.infomaniak.com/qr/abc.png',
    });
    for (const bad of [
      undefined,
      '',
      'http://x.test/qr.png',
      'javascript:alert(1)',
      'data:text/html;base64,PGI+',
      'https://x.test/a)b',
      'not a url',
    ]) {
      expect(parseQrCode(bad)).toBeUndefined();
    }
  });
});
