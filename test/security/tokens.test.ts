/** Signed values are one union of kinds: a genuine token is read only as the kind it was signed as, its fields
 * are parsed, and old kind-less button values still work as buttons. */
import { describe, expect, it } from 'vitest';
import { Signer } from '../../src/security/signing.js';
import type { Token } from '../../src/security/tokens.js';

const signer = new Signer('test-secret-0123456789-0123456789-abcdef');
const now = Date.parse('2030-01-01T10:00:00.000Z');
const exp = now + 60_000;

/** Signed with the right key but fields of our choosing: what a leaked or replayed value could hold. */
function signedFields(fields: Record<string, unknown>): string {
  return signer.sign(fields as Token);
}

describe('signed tokens', () => {
  it('refuses a genuine token of one kind used as another', () => {
    const deny = signer.sign({ k: 'deny', i: 'inv1', u: 'u-ana', n: 'ana', exp });
    const wizard = signer.sign({ k: 'wizard', d: 'draft1', u: 'u-ana', exp });
    const button = signer.sign({ k: 'button', i: 'inv1', a: 'revoke', exp });
    expect(signer.verify(deny, now, 'deny')).toEqual({ k: 'deny', i: 'inv1', u: 'u-ana', n: 'ana', exp });
    expect(signer.verify(deny, now, 'resend')).toBeUndefined();
    expect(signer.verify(wizard, now, 'form')).toBeUndefined();
    expect(signer.verify(button, now, 'deny')).toBeUndefined();
    expect(signer.verify(deny, now, 'button')).toBeUndefined();
  });

  it('refuses a signed token whose fields have the wrong type or an unknown kind', () => {
    expect(signer.verify(signedFields({ k: 'deny', i: 42, u: 'u-ana', n: 'ana', exp }), now)).toBeUndefined();
    expect(signer.verify(signedFields({ k: 'resend', i: 'inv1', u: ['u-ana'], exp }), now)).toBeUndefined();
    expect(signer.verify(signedFields({ k: 'admin', i: 'inv1', exp }), now)).toBeUndefined();
    expect(signer.verify(signedFields({ k: 'form', d: 'draft1', u: 'u-ana' }), now)).toBeUndefined(); // no expiry
  });

  it('drops fields a kind does not have', () => {
    const token = signedFields({ k: 'form', d: 'draft1', u: 'u-ana', exp, admin: true });
    expect(signer.verify(token, now, 'form')).toEqual({ k: 'form', d: 'draft1', u: 'u-ana', exp });
  });

  it('reads a button value signed before tokens had kinds as a button, and as nothing else', () => {
    const legacy = signedFields({ i: 'inv1', a: 'approve', l: 1, exp });
    expect(signer.verify(legacy, now, 'button')).toEqual({ k: 'button', i: 'inv1', a: 'approve', l: 1, exp });
    expect(signer.verify(legacy, now, 'deny')).toBeUndefined();
    expect(signer.verify(signedFields({ i: 'inv1', u: 'u-ana', exp }), now)).toBeUndefined();
  });

  it('refuses an expired or altered token', () => {
    const token = signer.sign({ k: 'resend', i: 'inv1', u: 'u-ana', exp });
    expect(signer.verify(token, exp + 1, 'resend')).toBeUndefined();
    const [body, mac] = token.split('.');
    const altered = Buffer.from(Buffer.from(body!, 'base64url').toString().replace('u-ana', 'u-bob')).toString(
      'base64url',
    );
    expect(signer.verify(`${altered}.${mac}`, now, 'resend')).toBeUndefined();
  });
});
