import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../commands/invitePeople.js';
import type { Capabilities } from '../../src/core/policy.js';
import { parseRecipients } from '../../src/core/recipients.js';
import { parseSubmission, type WizardContext, wizardSteps } from '../../src/core/wizard.js';
import { en } from '../support/words.js';

const caps: Capabilities = {
  roles: ['external', 'collaborator', 'admin'],
  missingRoleReasons: { legal_representative: () => 'no such role here' },
  kdrive: false,
  billing: false,
  deliveries: ['platform_email'],
};
const ctx: WizardContext = {
  words: en,
  level: 'member',
  caps,
  channels: [
    { value: 'town', label: 'Town square' },
    { value: 'dev', label: 'Dev' },
  ],
  currentChannelId: 'dev',
};
const valid = {
  emails: 'ana@example.org',
  name: '',
  role: 'external',
  channels: ['dev'],
  delivery: 'platform_email',
  expiry: '7',
  message: '',
};

describe('wizard steps', () => {
  it('offers only the roles the inviter may grant, and says why others are missing', () => {
    const [who] = wizardSteps(ctx);
    const role = who!.fields.find((f) => f.name === 'role');
    expect(role?.kind === 'select' && role.options.map((o) => o.value)).toEqual(['external', 'collaborator']);
    expect(who!.intro).toMatch(/Administrator: it is above your own role/);
    expect(who!.intro).toMatch(/Legal representative: no such role here/);
  });

  it('preselects the current channel and hides kDrive and billing where the platform has none', () => {
    const [, access] = wizardSteps(ctx);
    const channels = access!.fields.find((f) => f.name === 'channels');
    expect(channels?.kind === 'multiselect' && channels.default).toEqual(['dev']);
    expect(access!.fields.map((f) => f.name)).not.toContain('kdrive');
    expect(access!.fields.map((f) => f.name)).not.toContain('billing_rights');
  });

  it('shows billing extras only for roles that have them', () => {
    const full = {
      ...ctx,
      level: 'owner' as const,
      caps: { ...caps, billing: true, kdrive: true, roles: [...caps.roles, 'legal_representative' as const] },
    };
    expect(wizardSteps(full, 'external')[1]!.fields.map((f) => f.name)).not.toContain('remind_email');
    expect(wizardSteps(full, 'collaborator')[1]!.fields.map((f) => f.name)).toContain('billing_rights');
    expect(wizardSteps(full, 'admin')[1]!.fields.map((f) => f.name)).not.toContain('billing_rights');
    expect(wizardSteps(full, 'admin')[1]!.fields.map((f) => f.name)).toContain('remind_sms');
  });
});

describe('parsing a submission', () => {
  it('accepts a valid one, with the values clients send (booleans as strings, lists as CSV)', () => {
    const r = parseSubmission({ ...valid, channels: 'dev,town', name: 'Ana Lopez' }, ctx);
    expect(r.ok && r.request).toMatchObject({
      role: 'external',
      channelIds: ['dev', 'town'],
      recipients: [{ email: 'ana@example.org', name: 'Ana Lopez' }],
      expiryDays: 7,
    });
  });

  it('puts errors on the fields', () => {
    const r = parseSubmission({ ...valid, emails: 'not-an-email', role: 'admin', channels: ['secret'] }, ctx);
    expect(r.ok).toBe(false);
    expect(!r.ok && Object.keys(r.errors).sort()).toEqual(['channels', 'emails', 'role']);
    expect(!r.ok && r.errors.channels).toMatch(/channels you are a member of/);
  });

  it('answers values of the wrong type with field errors, not an exception', () => {
    const r = parseSubmission({ ...valid, emails: { $ne: '' }, channels: [{}] }, ctx);
    expect(r).toEqual({ ok: false, errors: { emails: expect.any(String), channels: expect.any(String) } });
  });

  it('requires a channel for an external guest', () => {
    const r = parseSubmission({ ...valid, channels: [] }, ctx);
    expect(!r.ok && r.errors.channels).toMatch(/at least one channel/);
  });

  it('checks only the step that was submitted', () => {
    expect(parseSubmission({ emails: 'ana@example.org', role: 'collaborator' }, ctx, 'who').ok).toBe(true);
  });
});

describe('recipients', () => {
  it('normalizes odd casing and spaces, drops duplicates, reads "Name <email>"', () => {
    const { recipients, invalid } = parseRecipients(
      '  Ana@Example.ORG ,ana@example.org;\n Ben Ito <BEN@example.org>\n',
    );
    expect(invalid).toEqual([]);
    expect(recipients).toEqual([
      { email: 'ana@example.org', name: '' },
      { email: 'ben@example.org', name: 'Ben Ito' },
    ]);
  });
});

describe('the command text', () => {
  it.each([
    ['', { kind: 'wizard' }],
    ['help', { kind: 'help' }],
    ['LIST', { kind: 'list', page: 1 }],
    ['list 3', { kind: 'list', page: 3 }],
    ['bulk', { kind: 'bulk' }],
    ['ana@example.org', { kind: 'wizard', prefill: 'ana@example.org' }],
    ['frobnicate', { kind: 'help', unknown: 'frobnicate' }],
  ])('%j', (text, intent) => {
    expect(parseCommand(text)).toEqual(intent);
  });
});

describe('a guest’s access duration', () => {
  const accessField = (c: WizardContext, role?: 'external' | 'collaborator') =>
    wizardSteps(c, role)[1]!.fields.find((f) => f.name === 'access_days');

  it('offers 30, 90 (chosen), 180 days and a year to external guests, and nothing to members', () => {
    const field = accessField(ctx, 'external');
    expect(field?.kind === 'select' && field.options.map((o) => o.label)).toEqual([
      '30 days',
      '90 days',
      '180 days',
      '1 year',
    ]);
    expect(field?.kind === 'select' && field.default).toBe('90');
    expect(accessField(ctx, 'collaborator')).toBeUndefined();
    const parsed = parseSubmission(valid, ctx);
    expect(parsed.ok && parsed.request.accessDays).toBe(90);
    const member = parseSubmission({ ...valid, role: 'collaborator', access_days: '365' }, ctx);
    expect(member.ok && member.request.accessDays).toBeUndefined();
  });

  it('never offers more than GUEST_MAX_DAYS, and refuses a submission that asks for more', () => {
    const capped = { ...ctx, guestMaxDays: 60 };
    const field = accessField(capped, 'external');
    expect(field?.kind === 'select' && field.options.map((o) => o.value)).toEqual(['30', '60']);
    expect(field?.kind === 'select' && field.default).toBe('60');
    const hostile = parseSubmission({ ...valid, access_days: '365' }, capped);
    expect(hostile).toEqual({
      ok: false,
      errors: { access_days: 'Choose one of the durations offered (at most 60 days).' },
    });
    expect(parseSubmission({ ...valid, access_days: '-5' }, ctx).ok).toBe(false);
    const fine = parseSubmission({ ...valid, access_days: '60' }, capped);
    expect(fine.ok && fine.request.accessDays).toBe(60);
  });
});
