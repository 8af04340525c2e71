import { describe, expect, it } from 'vitest';
import { STATES } from '../../src/core/model.js';
import { canApply, isOpen, TRANSITIONS } from '../../src/core/stateMachine.js';

describe('invitation lifecycle', () => {
  it('follows the product diagram', () => {
    expect(canApply('approve', 'pending_approval')).toBe(true);
    expect(canApply('deny', 'pending_approval')).toBe(true);
    expect(canApply('delivered', 'sending')).toBe(true);
    expect(canApply('arrive', 'sent')).toBe(true);
    expect(canApply('retry', 'failed')).toBe(true);
  });

  it('never leaves a finished invitation', () => {
    for (const done of ['arrived', 'denied', 'revoked', 'expired', 'ended'] as const) {
      for (const event of Object.keys(TRANSITIONS) as (keyof typeof TRANSITIONS)[]) {
        // An arrived guest's access can still end, once.
        const expected = done === 'arrived' && event === 'endAccess';
        expect(canApply(event, done), `${event} from ${done}`).toBe(expected);
      }
      expect(isOpen(done)).toBe(false);
    }
  });

  it('cannot approve twice or approve after a denial', () => {
    expect(canApply('approve', TRANSITIONS.approve.to)).toBe(false);
    expect(canApply('approve', TRANSITIONS.deny.to)).toBe(false);
  });

  it('only targets known states', () => {
    for (const t of Object.values(TRANSITIONS)) expect(STATES).toContain(t.to);
  });
});
