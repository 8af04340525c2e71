/** Every dialog the bot can open stays within the server's limits (it only logs a warning and sends a broken
 * dialog otherwise), whatever the capabilities and the server version. */

import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../src/core/i18n.js';
import { DELIVERIES, ROLES } from '../../src/core/model.js';
import { wizardSteps } from '../../src/core/wizard.js';
import { denyReasonDialog, renderDialog, resendDialog } from '../../views/mattermost/dialog.js';
import { locales } from '../support/words.js';

function checkLimits(dialog: Record<string, unknown>): void {
  expect(String(dialog.title).length).toBeLessThanOrEqual(24);
  const elements = dialog.elements as { name: string; display_name: string; help_text?: string }[];
  expect(new Set(elements.map((e) => e.name)).size).toBe(elements.length);
  for (const e of elements) {
    expect(e.display_name.length, e.name).toBeLessThanOrEqual(24);
    expect((e.help_text ?? '').length, e.name).toBeLessThanOrEqual(150);
  }
}

const everything = { roles: ROLES, missingRoleReasons: {}, kdrive: true, billing: true, deliveries: DELIVERIES };
const ctx = {
  level: 'owner' as const,
  caps: everything,
  channels: [{ value: 'c1', label: 'General' }],
  currentChannelId: 'c1',
};

describe('Mattermost dialogs', () => {
  it.each([
    ['11.1 (two steps)', { multiselect: true, multistep: true }],
    ['10.6 (one dialog, channel slots)', { multiselect: false, multistep: false }],
  ])('the wizard fits on %s, for every role', (_name, features) => {
    for (const [role, words] of ROLES.flatMap((r) => LANGUAGES.map((l) => [r, locales.for(l)] as const))) {
      const steps = wizardSteps({ ...ctx, words }, role);
      for (const shown of features.multistep ? steps.map((s) => [s]) : [steps]) {
        checkLimits(renderDialog({ callbackId: 'invite', state: 's', steps: shown, submitLabel: 'Invite', features }));
      }
    }
  });

  it('the deny and resend dialogs fit too', () => {
    for (const words of LANGUAGES.map((l) => locales.for(l))) {
      checkLimits(denyReasonDialog({ kind: 'deny', state: 's', words }));
      checkLimits(resendDialog({ kind: 'resend', words, state: 's', email: 'ana@example.org', methods: DELIVERIES }));
    }
  });
});
